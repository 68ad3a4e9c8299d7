package dev.usp.eval.sample;

import dev.usp.models.generation.GeneratorSpec;
import ai.djl.ndarray.NDManager;
import dev.usp.core.testing.EngineRoot;
import dev.usp.core.nn.Parameter;
import dev.usp.models.dit.DiT;
import dev.usp.models.generation.SamplerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sampler stops on what would otherwise come out as black images: a bad scale factor, non-finite latents. */
class SamplerGuardsTest {

    private static final GeneratorSpec SIT = new GeneratorSpec("SiT-T/2", 4, 4, 4);

    @TempDir
    Path dir;

    @RegisterExtension
    final EngineRoot engine = new EngineRoot();

    @Test
    void scaleFactorMustBeFiniteAndPositive() {
        DiT net = SIT.build(engine.manager().newSubManager());
        for (double bad : new double[] {0, -0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Sampler(net, SamplerSettings.ode("euler", 2), null, bad));
            assertTrue(e.getMessage().contains("scale factor must be a finite number > 0, got " + bad), e.getMessage());
        }
    }

    @Test
    void nonFiniteLatentsStopTheRunNamingTheBatch() {
        // finite but huge weights: the network's output overflows to infinity within the first step
        DiT net = SIT.build(engine.manager().newSubManager());
        for (Parameter p : net.trainableParameters().values()) {
            try (NDManager m = engine.manager().newSubManager()) {
                p.assign(m.ones(p.shape(), p.array().getDataType()).mul(1e30f));
            }
        }
        Sampler sampler = new Sampler(net, SamplerSettings.ode("euler", 3), null, 1.0);
        SampleJob job = new SampleJob(3, 2, 40, new int[] {1}, 4);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new SampleOutputs(dir, 3, false, true).write(sampler, job, b -> { }));
        assertTrue(e.getMessage().contains("batch 1 of 2 (samples 0..1, seeds 40..41)")
                && e.getMessage().contains("latents from the ode sampler are NaN or infinite"), e.getMessage());
        assertFalse(Files.exists(dir.resolve(SampleOutputs.NPZ)), "no .npz of black images");
        assertFalse(Files.exists(dir.resolve(SampleOutputs.GRID)), "no grid of black images");
    }
}
