package dev.usp.models.mae;

import ai.djl.ndarray.NDManager;
import dev.usp.core.nn.Parameter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Named sizes and their parameter counts against the official code's (mae/counts.txt, written by
 * scripts/fixtures/models_mae.py from PyTorch modules of the official definitions).
 */
class MaeModelsTest {

    @Test
    void namesAndPatchRules() {
        assertEquals(List.of("vit_tiny_patch_vae", "vit_base_patch_vae", "vit_base_patch2_vae", "vit_base_patch_vae_2",
                "vit_large_patch_vae", "vit_large_patch_vae_2", "vit_xlarge_patch_vae", "vit_huge_patch_vae"),
                MaeModels.names());
        assertEquals(2, MaeModels.config("vit_base_patch_vae", MaeOptions.d8()).patchSize());
        assertEquals(4, MaeModels.config("vit_large_patch_vae_2", MaeOptions.d8()).patchSize());
        assertEquals(1, MaeModels.config("vit_xlarge_patch_vae", MaeOptions.d16()).patchSize());
        assertEquals(2, MaeModels.config("vit_base_patch_vae_2", MaeOptions.d16()).patchSize());
        assertEquals(2, MaeModels.config("vit_base_patch2_vae", MaeOptions.d16().withLatent(16, 16, 1)).patchSize());
        MaeConfig huge = MaeModels.config("vit_huge_patch_vae", MaeOptions.d8());
        assertEquals(1280, huge.embedDim());
        assertEquals(32, huge.depth());
        assertEquals(512, huge.decoderDim());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MaeModels.create("mae_vit_giant", MaeOptions.d8(), null));
        assertTrue(e.getMessage().contains("vit_xlarge_patch_vae"), e.getMessage());
    }

    @Test
    void tinyAndBaseBuiltForRealHaveTheOfficialCounts() {
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedAutoencoder base = MaeModels.create("vit_base_patch_vae", MaeOptions.d8(), m);
            assertEquals(110_944_528L, base.parameterCount());
            assertEquals(85_221_120L, base.encoderParameterCount());
            assertEquals(base.parameterCount(), countFromOneBlockModel(base.config()), "extrapolation is exact");
        }
        try (NDManager m = NDManager.newBaseManager()) {
            // 3,264 patch + 192 cls + 197*192 pos + 6 * 444,864 blocks + 384 norm
            MaskedAutoencoder tiny = MaeModels.create("vit_tiny_patch_vae", MaeOptions.d8(), m);
            assertEquals(3_264L + 192 + 197 * 192 + 6 * 444_864L + 384, tiny.encoderParameterCount());
        }
    }

    @Test
    void largerSizesHaveTheOfficialCounts() throws IOException {
        Map<String, long[]> official = new HashMap<>();
        for (String line : MaeFixtures.lines("mae/counts.txt")) {
            if (!line.startsWith("#")) {
                String[] f = line.trim().split("\\s+");
                official.put(f[0], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        assertEquals(328_386_064L, official.get("vit_large_patch_vae")[0]);
        assertEquals(472_496_272L, official.get("vit_xlarge_patch_vae")[0]);
        for (Map.Entry<String, long[]> e : official.entrySet()) {
            MaeConfig c = MaeModels.config(e.getKey(), MaeOptions.d8());
            assertEquals(e.getValue()[0], countFromOneBlockModel(c), e.getKey());
        }
    }

    /**
     * The parameter count of {@code c}, from a real build of the same config with one encoder and
     * one decoder block: every block of a stack has the same tensors, so the count is linear in depth.
     * (Building XLarge for real allocates 1.9 GB and takes tens of seconds on two cores.)
     */
    static long countFromOneBlockModel(MaeConfig c) {
        MaeConfig one = new MaeConfig(c.inputSize(), c.patchSize(), c.inChannels(), c.embedDim(), 1, c.heads(),
                c.decoderDim(), 1, c.decoderHeads(), c.mlpRatio(), c.normPixLoss(), c.normImage(), c.maskRatio());
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedAutoencoder model = new MaskedAutoencoder(one, m);
            long encBlock = 0;
            long decBlock = 0;
            for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
                long n = e.getValue().shape().size();
                encBlock += e.getKey().startsWith("blocks.0.") ? n : 0;
                decBlock += e.getKey().startsWith("decoder_blocks.0.") ? n : 0;
            }
            return model.parameterCount() + (c.depth() - 1) * encBlock + (c.decoderDepth() - 1) * decBlock;
        }
    }
}
