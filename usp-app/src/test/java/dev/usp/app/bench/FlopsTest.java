package dev.usp.app.bench;

import dev.usp.models.dit.DiTModels;
import dev.usp.models.mae.MaeConfig;
import dev.usp.vae.VaeConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The analytic FLOP counts against published numbers and against counts taken by PyTorch hooks. */
class FlopsTest {

    /** The DiT paper's Table 4 "Gflops" are multiply-accumulates of one 256px forward. */
    @Test
    void ditMatchesThePaper() {
        assertEquals(6.06, Flops.ditForward(DiTModels.config("DiT-S/2"), 1) / 2e9, 0.01);
        assertEquals(23.01, Flops.ditForward(DiTModels.config("DiT-B/2"), 1) / 2e9, 0.01);
        assertEquals(118.64, Flops.ditForward(DiTModels.config("DiT-XL/2"), 1) / 2e9, 0.05);
        assertEquals(29.05, Flops.ditForward(DiTModels.config("DiT-XL/4"), 1) / 2e9, 0.02);
    }

    /** ViT-B/16 at 224px: 17.56 GMACs for patch embed, 12 blocks on 197 tokens and the 1000-way head. */
    @Test
    void vitBaseBlocks() {
        double f = Flops.linear(196, 768, 768) + 12 * Flops.vitBlock(1, 197, 768, 4.0) + Flops.linear(1, 768, 1000);
        assertEquals(17.5638, f / 2e9, 1e-4);
    }

    /** With nothing masked and no decoder blocks, the MAE is a ViT plus two linear maps. */
    @Test
    void maeWithoutMaskIsAVit() {
        MaeConfig c = new MaeConfig(32, 2, 4, 192, 6, 3, 128, 0, 4, 4.0, true, false, 0.0);
        double expected = Flops.linear(256, 16, 192) + 6 * Flops.vitBlock(1, 257, 192, 4.0)
                + Flops.linear(257, 192, 128) + Flops.linear(257, 128, 16);
        assertEquals(expected, Flops.maeForward(c, 1), 1.0);
        assertEquals(3 * expected, Flops.maeForward(c, 3), 3.0);
    }

    /** Conv and attention MACs counted by forward hooks on scripts/bench/torch_bench.py's encoder (count_flops.py). */
    @Test
    void vaeEncoderMatchesHookCounts() {
        assertEquals(16_919_306_240.0, Flops.vaeEncoder(VaeConfig.sd(), 1, 64), 1.0);
        assertEquals(49_389_568.0, Flops.vaeEncoder(VaeConfig.fmnistTiny(), 1, 32), 1.0);
    }

    /** The same for post_quant_conv + decoder (scripts/bench/count_flops.py). */
    @Test
    void vaeDecoderMatchesHookCounts() {
        assertEquals(38_760_876_032.0, Flops.vaeDecoder(VaeConfig.sd(), 1, 64), 1.0);
        assertEquals(128_518_144.0, Flops.vaeDecoder(VaeConfig.fmnistTiny(), 1, 32), 1.0);
    }
}
