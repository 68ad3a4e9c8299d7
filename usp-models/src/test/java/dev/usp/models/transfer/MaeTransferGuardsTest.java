package dev.usp.models.transfer;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transfers that used to go through silently now fail with a message, unless the option asks for
 * them: a checkpoint of which nothing loads (a VAE given as {@code --finetune}), an MAE that leaves
 * blocks at their init (partial), and a position table of another grid (resize).
 */
class MaeTransferGuardsTest {

    private static final Path MAE = Path.of("src/test/resources/fixtures/transfer/mae_tiny.safetensors");
    /** 3 blocks, 16x16 grid: the fixture MAE has 3 blocks on a 14x14 grid. */
    private static final DiTConfig DIT32 = new DiTConfig(32, 2, 4, 32, 3, 4, 4.0, 0.1, 10, true, true);

    private static NDManager manager;
    private static StateDict mae;

    @BeforeAll
    static void load() throws Exception {
        manager = NDManager.newBaseManager();
        mae = SafeTensors.read(MAE, manager);
    }

    @AfterAll
    static void close() {
        mae.close();
        manager.close();
    }

    @Test
    void checkpointOfWhichNothingLoadsIsRefused() {
        StateDict vae = new StateDict("vae.safetensors", null);
        vae.put("encoder.conv_in.weight", manager.zeros(new Shape(8, 3, 3, 3)))
                .put("decoder.conv_out.weight", manager.zeros(new Shape(3, 8, 3, 3)));
        try (DiT dit = new DiT(manager.newSubManager(), DIT32)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaeTransfer.toGenerator(vae,
                    dit, TransferOptions.defaults().withAllowPartial(true)));
            assertTrue(e.getMessage().contains("nothing of vae.safetensors fits the DiT: none of its 2 tensors")
                    && e.getMessage().contains("[encoder.conv_in.weight, decoder.conv_out.weight]"), e.getMessage());
        }
    }

    @Test
    void shallowerMaeIsAPartialTransferThatMustBeAllowed() {
        TransferOptions resize = TransferOptions.defaults().withResizePosEmbed(true);
        DiTConfig fourBlocks = new DiTConfig(32, 2, 4, 32, 4, 4, 4.0, 0.1, 10, true, true);
        try (DiT deeper = new DiT(manager.newSubManager(), fourBlocks)) {
            float[] init = deeper.stateDict().get("blocks.0.attn.qkv.weight").toFloatArray();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MaeTransfer.toGenerator(mae, deeper, resize));
            assertTrue(e.getMessage().contains("mae_tiny.safetensors leaves 12 tensors of the DiT at their init")
                    && e.getMessage().contains("blocks.3.norm1.weight") && e.getMessage().contains("allow_partial"),
                    e.getMessage());
            assertArrayEquals(init, deeper.stateDict().get("blocks.0.attn.qkv.weight").toFloatArray(), 0f,
                    "a refused transfer copies nothing");
            TransferReport r = MaeTransfer.toGenerator(mae, deeper, resize.withAllowPartial(true));
            assertTrue(r.missing().contains("blocks.3.attn.qkv.weight"), r.toString());
            assertEquals(3 * 12 + 3, r.loaded().size(), r.toString());
        }
    }

    @Test
    void positionTableOfAnotherGridNeedsTheResizeOption() {
        try (DiT dit = new DiT(manager.newSubManager(), DIT32)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> MaeTransfer.toGenerator(mae, dit, TransferOptions.defaults()));
            assertTrue(e.getMessage().contains("pos_embed of " + MAE + " holds a 14x14 grid but the DiT's holds 16x16")
                    && e.getMessage().contains("resize_pos_embed"), e.getMessage());
        }
    }
}
