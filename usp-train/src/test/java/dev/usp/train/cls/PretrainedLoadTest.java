package dev.usp.train.cls;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.SafeTensors;
import dev.usp.models.mae.MaeModels;
import dev.usp.models.mae.MaeOptions;
import dev.usp.models.mae.MaskedAutoencoder;
import dev.usp.models.transfer.TransferReport;
import dev.usp.models.vit.GlobalPool;
import dev.usp.models.vit.VisionTransformer;
import dev.usp.vae.cache.LatentCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tiny MAE saved as a checkpoint (tensors under {@code model.}) or as a bare state dict loads into the classifier. */
class PretrainedLoadTest {

    @Test
    void maeEncoderWeightsReachTheClassifier(@TempDir Path dir) throws IOException {
        SyntheticCaches.write(dir.resolve("c"), 8, 2, 1, 1, 0.1);
        try (NDManager m = NDManager.newBaseManager();
             LatentCache cache = LatentCache.open(dir.resolve("c"), m)) {
            MaskedAutoencoder mae = MaeModels.create("vit_tiny_patch_vae",
                    MaeOptions.d8().withLatent(SyntheticCaches.SIDE, SyntheticCaches.Z, 2), m);
            Map<String, NDArray> asCheckpoint = new LinkedHashMap<>();
            mae.stateDict().asMap().forEach((k, v) -> asCheckpoint.put("model." + k, v));
            SafeTensors.write(dir.resolve("ckpt.safetensors"), asCheckpoint, Map.of());
            SafeTensors.write(dir.resolve("bare.safetensors"), mae.stateDict().asMap(), Map.of());
            ClsDataConfig data = new ClsDataConfig(dir.resolve("c"), dir.resolve("c"), 2, LatentInput.MEAN, 8);
            ClsModelConfig mc = new ClsModelConfig("vit_tiny_patch16_vae", 2, GlobalPool.AVG, 0.1, 0, 2e-5);
            for (String file : new String[] {"ckpt.safetensors", "bare.safetensors"}) {
                VisionTransformer vit = ClsSetup.buildModel(mc, data, cache, cache, false, 4, m.newSubManager());
                TransferReport r = ClsSetup.loadPretrained(dir.resolve(file), vit, mc);
                assertTrue(r.loaded().contains("blocks.5.mlp.fc2.weight") && r.loaded().contains("pos_embed"), file + ": " + r);
                assertTrue(r.missing().contains("head.weight") && r.missing().contains("fc_norm.weight"), file + ": " + r);
                for (String k : new String[] {"blocks.0.attn.qkv.weight", "patch_embed.proj.weight", "cls_token"}) {
                    assertArrayEquals(mae.stateDict().get(k).toFloatArray(), vit.stateDict().get(k).toFloatArray(), k);
                }
                vit.close();
            }
        }
    }

    @Test
    void anEncoderWithMissingBlocksLoadsOnlyWhenPartialTransfersAreAllowed(@TempDir Path dir) throws IOException {
        SyntheticCaches.write(dir.resolve("c"), 8, 2, 1, 1, 0.1);
        try (NDManager m = NDManager.newBaseManager();
             LatentCache cache = LatentCache.open(dir.resolve("c"), m)) {
            MaskedAutoencoder mae = MaeModels.create("vit_tiny_patch_vae",
                    MaeOptions.d8().withLatent(SyntheticCaches.SIDE, SyntheticCaches.Z, 2), m);
            Map<String, NDArray> partial = new LinkedHashMap<>();
            mae.stateDict().asMap().forEach((k, v) -> {
                if (!k.startsWith("blocks.5.")) {
                    partial.put(k, v);
                }
            });
            Path file = dir.resolve("partial.safetensors");
            SafeTensors.write(file, partial, Map.of());
            ClsDataConfig data = new ClsDataConfig(dir.resolve("c"), dir.resolve("c"), 2, LatentInput.MEAN, 8);
            ClsModelConfig strict = new ClsModelConfig("vit_tiny_patch16_vae", 2, GlobalPool.AVG, 0.1, 0, 2e-5);
            ClsModelConfig lenient = new ClsModelConfig("vit_tiny_patch16_vae", 2, GlobalPool.AVG, 0.1, 0, 2e-5,
                    true, false);
            try (VisionTransformer vit = ClsSetup.buildModel(strict, data, cache, cache, false, 4, m.newSubManager())) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ClsSetup.loadPretrained(file, vit, strict));
                assertTrue(e.getMessage().contains("partial.safetensors") && e.getMessage().contains("blocks.5.")
                        && e.getMessage().contains("model.allow_partial: true for finetune-cls/linprobe"), e.getMessage());
            }
            try (VisionTransformer vit = ClsSetup.buildModel(lenient, data, cache, cache, false, 4, m.newSubManager())) {
                TransferReport r = ClsSetup.loadPretrained(file, vit, lenient);
                assertTrue(r.missing().contains("blocks.5.mlp.fc2.weight") && r.loaded().contains("blocks.4.mlp.fc2.weight"),
                        r.toString());
            }
        }
    }
}
