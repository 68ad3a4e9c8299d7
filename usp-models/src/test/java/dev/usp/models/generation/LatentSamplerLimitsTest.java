package dev.usp.models.generation;

import ai.djl.ndarray.NDManager;
import dev.usp.core.nn.Parameter;
import dev.usp.models.dit.DiTConfig;
import dev.usp.models.sit.SiT;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler settings refuse what dopri5 cannot do, and a SiT with NaN weights fails fast instead of hanging. */
class LatentSamplerLimitsTest {

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
        }
    }

    @Test
    void zeroTolerancesAreRefusedForDopri5Only() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SamplerSettings(
                "ode", 50, 0, "dopri5", 0, 0, 10_000, "sigma", 1.0, 0.04, 1.0, false));
        assertMentions(e, "atol 0 and rtol 0");
        assertMentions(assertThrows(IllegalArgumentException.class, () -> new SamplerSettings(
                "ode", 50, 0, "dopri5", 1e-6, 1e-3, 0, "sigma", 1.0, 0.04, 1.0, false)), "max steps >= 1");
        new SamplerSettings("ode", 50, 0, "heun", 0, 0, 10_000, "sigma", 1.0, 0.04, 1.0, false);
        new SamplerSettings("ddpm", 50, 0, "dopri5", 0, 0, 10_000, "sigma", 1.0, 0.04, 1.0, false);
    }

    @Test
    void nanWeightsStopDopri5AtOnce() {
        try (NDManager root = NDManager.newBaseManager()) {
            SiT net = new SiT(root.newSubManager(), new DiTConfig(4, 2, 4, 32, 1, 2, 2.0, 0.1, 4, false, true));
            for (Parameter p : net.trainableParameters().values()) {
                try (NDManager m = root.newSubManager()) {
                    p.assign(m.full(p.shape(), Float.NaN, p.array().getDataType()));
                }
            }
            long start = System.nanoTime();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> LatentSampler.sample(net,
                    SamplerSettings.ode("dopri5", 50), new int[] {0, 1}, new long[] {1, 2}, root));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 5_000, "took " + ms + " ms");
            assertMentions(e, "after 0 steps", "the drift f(x, t) at t = 0.0", "NaN");
        }
    }
}
