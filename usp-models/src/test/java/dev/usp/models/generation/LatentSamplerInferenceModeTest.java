package dev.usp.models.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.InferenceMode;
import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTConfig;
import dev.usp.models.sit.SiT;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The samplers run in libtorch's inference mode and that changes no bit: every method's latents equal
 * the same sampling run outside it, and what the sampler returns is a normal array (updated in place
 * outside the mode without libtorch's refusal).
 */
class LatentSamplerInferenceModeTest {

    private static final DiTConfig CONFIG = new DiTConfig(4, 2, 4, 32, 2, 2, 2.0, 0.1, 4, true, true);

    @Test
    void everyMethodGivesTheSameLatentsAsOutsideInferenceMode() {
        try (NDManager root = NDManager.newBaseManager()) {
            DiT dit = new DiT(root.newSubManager(), CONFIG);
            SiT sit = new SiT(root.newSubManager(), CONFIG);
            dit.eval();
            sit.eval();
            int[] labels = {0, 3};
            long[] seeds = {11, 12};
            List<SamplerSettings> forDit = List.of(SamplerSettings.ddpm(4), SamplerSettings.ddim(4, 0.5));
            List<SamplerSettings> forSit = List.of(SamplerSettings.ode("heun", 4), SamplerSettings.ode("dopri5", 4),
                    new SamplerSettings("sde", 4, 0, "dopri5", 1e-6, 1e-3, 10_000, "sigma", 1.0, 0.04, 1.0, false));
            for (SamplerSettings s : forDit) {
                check(dit, s, labels, seeds, root);
            }
            for (SamplerSettings s : forSit) {
                check(sit, s, labels, seeds, root);
            }
        }
    }

    private static void check(DiT model, SamplerSettings s, int[] labels, long[] seeds, NDManager root) {
        try (NDManager m = root.newSubManager()) {
            NDArray plain = LatentSampler.sampleInside(model, s, labels, seeds, m);
            NDArray sampled = LatentSampler.sample(model, s, labels, seeds, m);
            assertFalse(InferenceMode.isEnabled());
            assertArrayEquals(plain.toFloatArray(), sampled.toFloatArray(), s.method() + "/" + s.solver());
            sampled.addi(plain);   // a normal array: libtorch refuses this on an inference tensor
            assertArrayEquals(plain.mul(2).toFloatArray(), sampled.toFloatArray());
        }
    }
}
