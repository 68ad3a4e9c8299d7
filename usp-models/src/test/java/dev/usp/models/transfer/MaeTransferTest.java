package dev.usp.models.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.nn.Block;
import dev.usp.core.nn.LayerNorm;
import dev.usp.core.nn.Linear;
import dev.usp.core.nn.Module;
import dev.usp.core.nn.PatchEmbed;
import dev.usp.core.nn.SinCosPosEmbed;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTConfig;
import dev.usp.models.dit.DiTModels;
import dev.usp.models.mae.MaeModels;
import dev.usp.models.mae.MaeOptions;
import dev.usp.models.mae.MaskedAutoencoder;
import dev.usp.models.sit.SiT;
import dev.usp.models.vit.VisionTransformer;
import dev.usp.models.vit.VitModels;
import dev.usp.models.vit.VitOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static dev.usp.models.dit.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MAE -> DiT/SiT/ViT transfer on a tiny MAE-named checkpoint (D 32, 3 blocks, 14x14 grid of 2x2
 * patches on 28x28x4 latents, decoder D 16) written by scripts/fixtures/models_dit.py, with the
 * resized position tables computed there by torch's F.interpolate as the official loaders do.
 */
class MaeTransferTest {

    private static final Path DIR = Path.of("src/test/resources/fixtures/transfer");
    private static final DiTConfig DIT32 = new DiTConfig(32, 2, 4, 32, 3, 4, 4.0, 0.1, 10, true, true);
    /** The fixture's 14x14 grid goes into 16x16 targets: the resize is asked for. */
    private static final TransferOptions RESIZE = TransferOptions.defaults().withResizePosEmbed(true);

    private static NDManager manager;
    private static StateDict mae;
    private static StateDict expected;

    @BeforeAll
    static void load() throws Exception {
        manager = NDManager.newBaseManager();
        mae = SafeTensors.read(DIR.resolve("mae_tiny.safetensors"), manager);
        expected = SafeTensors.read(DIR.resolve("expected.safetensors"), manager);
    }

    @AfterAll
    static void close() {
        expected.close();
        mae.close();
        manager.close();
    }

    @Test
    void maeToDiTVaeSimpleLoadsBlocksPatchEmbedAndResizedPositions() {
        try (DiT dit = new DiT(manager.newSubManager(), DIT32)) {
            int before = dit.manager().getManagedArrays().size();
            TransferReport r = MaeTransfer.toGenerator(mae, dit, RESIZE);
            assertEquals(before, dit.manager().getManagedArrays().size(), "no temporaries left in the model");
            StateDict sd = dit.stateDict();
            for (String k : mae.keys()) {
                if (k.startsWith("blocks.")) {
                    assertArrayEquals(mae.get(k).toFloatArray(), sd.get(k).toFloatArray(), 0f, k);
                }
            }
            assertArrayEquals(mae.get("patch_embed.proj.weight").toFloatArray(),
                    sd.get("x_embedder.proj.weight").toFloatArray(), 0f);
            assertArrayEquals(mae.get("patch_embed.proj.bias").toFloatArray(),
                    sd.get("x_embedder.proj.bias").toFloatArray(), 0f);
            assertClose("pos_embed 14->16", expected.get("dit_pos_embed_16"), sd.get("pos_embed"), 1e-5);
            assertEquals(3 * 12 + 3, r.loaded().size());
            assertEquals(List.of("cls_token", "norm.weight", "norm.bias", "mask_token", "decoder_embed.weight",
                    "decoder_embed.bias", "decoder_pos_embed", "decoder_norm.weight", "decoder_norm.bias",
                    "decoder_pred.weight", "decoder_pred.bias"), r.unexpected());
            assertEquals(List.of("t_embedder.mlp.0.weight", "t_embedder.mlp.0.bias", "t_embedder.mlp.2.weight",
                    "t_embedder.mlp.2.bias", "y_embedder.embedding_table.weight",
                    "blocks.0.adaLN_modulation.1.weight", "blocks.0.adaLN_modulation.1.bias",
                    "blocks.1.adaLN_modulation.1.weight", "blocks.1.adaLN_modulation.1.bias",
                    "blocks.2.adaLN_modulation.1.weight", "blocks.2.adaLN_modulation.1.bias",
                    "final_layer.linear.weight", "final_layer.linear.bias",
                    "final_layer.adaLN_modulation.1.weight", "final_layer.adaLN_modulation.1.bias"), r.missing());
            assertTrue(r.ignored().isEmpty() && r.mismatched().isEmpty(), r.toString());
            assertEquals(List.of("pos_embed (14x14 -> 16x16 grid, bicubic)"), r.resized());
            assertTrue(r.summary().endsWith("resized [pos_embed (14x14 -> 16x16 grid, bicubic)]"), r.summary());
        }
    }

    @Test
    void standardSiTOnTheSameGridTakesTheTableWithoutItsClsRow() {
        try (SiT sit = new SiT(manager.newSubManager(), DIT32.toBuilder().inputSize(28).affineBlockNorms(false).build())) {
            TransferReport r = MaeTransfer.toGenerator(mae, sit, TransferOptions.defaults());
            float[] src = mae.get("pos_embed").toFloatArray();
            assertArrayEquals(Arrays.copyOfRange(src, 32, src.length),
                    sit.stateDict().get("pos_embed").toFloatArray(), 0f);
            assertArrayEquals(SinCosPosEmbed.table2d(32, 14, false), sit.stateDict().get("pos_embed").toFloatArray(), 1e-6f);
            // non-affine block norms: MAE's norm1/norm2 have nowhere to go
            assertTrue(r.unexpected().contains("blocks.0.norm1.weight"), r.toString());
            assertEquals(3 * 8 + 3, r.loaded().size());
        }
    }

    @Test
    void patchOneMiniatureTransfersEveryBlockIntoSiTAndTheClassifier() {
        MaeOptions opts = MaeOptions.d8().withLatent(8, 4, 1);
        try (MaskedAutoencoder mae1 = MaeModels.create("vit_mini_patch_vae", opts, manager.newSubManager());
             SiT sit = new SiT(manager.newSubManager(),
                     DiTModels.config("SiT-M/1-VAE-simple").toBuilder().inputSize(8).numClasses(10).build());
             VisionTransformer vit = VitModels.create("vit_mini_patch16_vae",
                     VitOptions.linearProbe(10).withLatent(8, 4, 1), manager.newSubManager())) {
            StateDict sd = mae1.stateDict();
            assertEquals(new Shape(1, 65, 128), sd.get("pos_embed").getShape(), "cls + 8x8 patches of 1x1");
            TransferReport toSit = MaeTransfer.toGenerator(sd, sit, TransferOptions.defaults());
            assertEquals(4 * 12 + 3, toSit.loaded().size(), toSit.toString());
            assertTrue(toSit.mismatched().isEmpty() && toSit.ignored().isEmpty(), toSit.toString());
            float[] src = sd.get("pos_embed").toFloatArray();
            assertArrayEquals(Arrays.copyOfRange(src, 128, src.length), sit.stateDict().get("pos_embed").toFloatArray(),
                    0f, "64 rows without the cls row, no resize");
            assertEquals(new Shape(128, 4, 1, 1), sit.stateDict().get("x_embedder.proj.weight").getShape());
            TransferReport toVit = MaeTransfer.toClassifier(sd, vit, TransferOptions.defaults());
            assertTrue(toVit.mismatched().isEmpty() && toVit.ignored().isEmpty(), toVit.toString());
            assertTrue(toVit.loaded().containsAll(List.of("pos_embed", "cls_token", "patch_embed.proj.weight",
                    "blocks.3.mlp.fc2.bias")), toVit.toString());
        }
    }

    @Test
    void usePretrainLayerKeepsOnlyTheFirstBlocks() {
        try (DiT dit = new DiT(manager.newSubManager(), DIT32)) {
            float[] initial = dit.stateDict().get("blocks.1.attn.qkv.weight").toFloatArray();
            TransferReport r = MaeTransfer.toGenerator(mae, dit, RESIZE.withUsePretrainLayer(1));
            assertArrayEquals(initial, dit.stateDict().get("blocks.1.attn.qkv.weight").toFloatArray(), 0f);
            assertArrayEquals(mae.get("blocks.0.attn.qkv.weight").toFloatArray(),
                    dit.stateDict().get("blocks.0.attn.qkv.weight").toFloatArray(), 0f);
            assertEquals(24, r.ignored().size());
            assertTrue(r.ignored().contains("blocks.2.mlp.fc2.bias (use_pretrain_layer 1)"), r.toString());
            assertTrue(r.missing().contains("blocks.1.attn.qkv.weight"));
        }
    }

    @Test
    void otherChannelCountIgnoresThePatchEmbedding() {
        try (DiT dit = new DiT(manager.newSubManager(), DIT32.toBuilder().inChannels(16).build())) {
            TransferReport r = MaeTransfer.toGenerator(mae, dit, RESIZE);
            assertTrue(r.ignored().contains("patch_embed.proj.weight (input channels 4 != target's 16)"), r.toString());
            assertTrue(r.missing().containsAll(List.of("x_embedder.proj.weight", "x_embedder.proj.bias")));
        }
    }

    @Test
    void shapeMismatchFailsWithBothShapesUnlessSkippable() {
        DiTConfig narrowMlp = new DiTConfig(32, 2, 4, 32, 1, 4, 2.0, 0.1, 10, true, true);
        try (DiT dit = new DiT(manager.newSubManager(), narrowMlp)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MaeTransfer.toGenerator(mae, dit, RESIZE));
            assertTrue(e.getMessage().contains("'blocks.0.mlp.fc1.weight'") && e.getMessage().contains("(64, 32)")
                    && e.getMessage().contains("(128, 32)"), e.getMessage());
            Set<String> skip = Set.of("blocks.0.mlp.fc1.weight", "blocks.0.mlp.fc1.bias", "blocks.0.mlp.fc2.weight");
            TransferReport r = MaeTransfer.toGenerator(mae, dit, RESIZE.withSkippableKeys(skip));
            assertEquals(3, r.mismatched().size(), r.toString());
            assertTrue(r.loaded().contains("blocks.0.mlp.fc2.bias"));
        }
    }

    @Test
    void maeToClassifierKeepsTheClsRowAndLeavesTheHead() {
        try (TinyViT vit = new TinyViT(manager.newSubManager())) {
            float[] head = vit.stateDict().get("head.weight").toFloatArray();
            StateDict withHead = new StateDict("mae+head", null);
            mae.asMap().forEach(withHead::put);
            withHead.put("head.weight", manager.zeros(new Shape(1000, 32)));
            TransferReport r = MaeTransfer.toClassifier(withHead, vit, RESIZE);
            assertClose("vit pos_embed", expected.get("vit_pos_embed_16"), vit.stateDict().get("pos_embed"), 1e-5);
            assertArrayEquals(head, vit.stateDict().get("head.weight").toFloatArray(), 0f);
            assertArrayEquals(mae.get("cls_token").toFloatArray(), vit.stateDict().get("cls_token").toFloatArray(), 0f);
            assertEquals(List.of("fc_norm.weight", "fc_norm.bias", "head.weight", "head.bias"), r.missing());
            assertTrue(r.ignored().get(0).startsWith("head.weight"), r.toString());
            assertTrue(r.unexpected().containsAll(List.of("norm.weight", "mask_token", "decoder_pred.bias")));
            assertEquals(4 + 2 * 12, r.loaded().size());
        }
    }

    @Test
    void randomTableResizeMatchesTorchAndCheckpointsUnwrap() {
        try (NDManager step = manager.newSubManager()) {
            NDArray resized = PosEmbedResize.resize(expected.get("pos_rand_197"), 1, 16, true);
            assertClose("random table", expected.get("pos_rand_resized_16"), resized, 1e-5);
            StateDict pth = new StateDict("checkpoint-799.pth", null);
            pth.put("model.pos_embed", mae.get("pos_embed")).put("model.blocks.0.norm1.weight", mae.get("blocks.0.norm1.weight"))
                    .put("epoch", step.create(799f));
            assertEquals(Set.of("pos_embed", "blocks.0.norm1.weight"), MaeTransfer.unwrap(pth).keys());
            assertEquals(2, MaeTransfer.blockIndex("blocks.2.attn.qkv.weight"));
            assertEquals(-1, MaeTransfer.blockIndex("decoder_blocks.0.norm1.weight"));
        }
    }

    /** A stand-in for the MAE helper's ViT classifier: its tensor names on a 16x16 grid, global-pool head. */
    private static final class TinyViT extends Module {
        TinyViT(NDManager m) {
            super(m);
            addParameter("cls_token", m.zeros(new Shape(1, 1, 32)));
            addFrozen("pos_embed", m.create(SinCosPosEmbed.table2d(32, 16, true), new Shape(1, 257, 32)));
            addModule("patch_embed", new PatchEmbed(m, 32, 2, 4, 32));
            Seq blocks = addModule("blocks", new Seq(m));
            blocks.add("0", new Block(m, 32, 4, 4.0, 0.0));
            blocks.add("1", new Block(m, 32, 4, 4.0, 0.0));
            addModule("fc_norm", new LayerNorm(m, 32, 1e-6, true));
            addModule("head", new Linear(m, 32, 10));
        }
    }

    /** {@code nn.ModuleList}. */
    private static final class Seq extends Module {
        Seq(NDManager m) {
            super(m);
        }

        void add(String name, Module child) {
            addModule(name, child);
        }
    }
}
