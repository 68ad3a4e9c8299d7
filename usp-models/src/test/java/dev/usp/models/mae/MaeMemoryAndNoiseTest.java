package dev.usp.models.mae;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.usp.core.nn.Parameter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The memory rule over many training steps, fresh masking noise, and the add_noise input. */
class MaeMemoryAndNoiseTest {

    @Test
    void trainingStepsInScopessKeepTheModelManagerConstant() {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedAutoencoder model = new MaskedAutoencoder(MaeParityTest.tinyConfig(true, false), m);
            int before = m.getManagedArrays().size();
            float previousLoss = Float.NaN;
            for (int i = 0; i < 20; i++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = step.randomNormal(new Shape(2, 4, 8, 8));
                    MaeOutput out;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        out = model.forward(x);
                        gc.backward(out.loss());
                    }
                    assertEquals(24f, out.mask().sum().getFloat(), "12 of 16 patches removed in each of 2 samples");
                    for (Parameter p : model.trainableParameters().values()) {
                        NDArray g = p.array().getGradient();
                        g.attach(step);
                        assertTrue(Float.isFinite(g.abs().sum().getFloat()), p.name());
                    }
                    previousLoss = out.loss().getFloat();
                }
                assertEquals(before, m.getManagedArrays().size(), "after step " + i);
            }
            assertTrue(Float.isFinite(previousLoss));
        }
    }

    @Test
    void addNoiseMixesCleanLatentsWithNoiseAndKeepsThemAsTarget() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(new float[] {1, 2, -1, 4}, new Shape(2, 1, 1, 2));
            NDArray t = m.create(new float[] {0.5f, 0.75f}, new Shape(2, 1, 1, 1));
            NDArray eps = m.create(new float[] {0.5f, -1, 2, 0}, new Shape(2, 1, 1, 2));
            LatentNoise.Noised n = LatentNoise.apply(z, t, eps);
            double a = Math.sqrt(0.5);
            double b = Math.sqrt(0.75);
            double c = Math.sqrt(0.25);
            assertArrayEquals(new float[] {(float) (a * 1 + a * 0.5), (float) (a * 2 - a), (float) (-b + c * 2), (float) (4 * b)},
                    n.input().toFloatArray(), 1e-6f);
            assertSame(z, n.target());

            Engine.getInstance().setRandomSeed(1);
            NDArray zeros = m.zeros(new Shape(4000, 1, 1, 1));
            NDArray noisy = LatentNoise.apply(zeros).input();   // sqrt(1 - t) eps with t ~ U[0.5, 1)
            float var = noisy.square().mean().getFloat();        // E[1 - t] = 0.25
            assertEquals(0.25, var, 0.03);
            assertTrue(noisy.abs().max().getFloat() < Math.sqrt(0.5) * 6);
        }
    }
}
