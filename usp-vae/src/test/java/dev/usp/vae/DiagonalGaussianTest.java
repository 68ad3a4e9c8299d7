package dev.usp.vae;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The posterior against LDM's formulas, computed by hand. */
class DiagonalGaussianTest {

    @Test
    void splitsClampsAndFollowsLdmFormulas() {
        try (NDManager m = NDManager.newBaseManager()) {
            // moments (1, 2, 1, 2): mean channel [1, -2], logvar channel [-40 (clamped to -30), ln 4]
            float ln4 = (float) Math.log(4);
            NDArray moments = m.create(new float[] {1f, -2f, -40f, ln4}, new Shape(1, 2, 1, 2));
            DiagonalGaussian p = DiagonalGaussian.fromMoments(moments);
            assertArrayEquals(new float[] {1f, -2f}, p.mean().toFloatArray());
            assertArrayEquals(new float[] {-30f, ln4}, p.logvar().toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {(float) Math.exp(-15), 2f}, p.std().toFloatArray(), 1e-6f);
            NDArray noise = m.create(new float[] {0.5f, -1f}, new Shape(1, 1, 1, 2));
            assertArrayEquals(new float[] {1f, -4f}, p.sample(noise).toFloatArray(), 1e-5f);
            // 0.5 * [(1 + e^-30 - 1 + 30) + (4 + 4 - 1 - ln 4)]
            double kl = 0.5 * ((1 + Math.exp(-30) - 1 + 30) + (4 + 4 - 1 - Math.log(4)));
            assertEquals(kl, p.kl().getFloat(0), 1e-5);
            assertArrayEquals(new float[] {1f, -2f, -30f, ln4}, p.moments().toFloatArray(), 1e-6f);
        }
    }

    @Test
    void seededSamplesRepeatAndHaveTheRightSpread() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray mean = m.full(new Shape(1, 4, 64, 64), 3f);
            DiagonalGaussian p = new DiagonalGaussian(mean, m.full(new Shape(1, 4, 64, 64), (float) Math.log(0.25)));
            Engine.getInstance().setRandomSeed(7);
            float[] a = p.sample().toFloatArray();
            Engine.getInstance().setRandomSeed(7);
            float[] b = p.sample().toFloatArray();
            assertArrayEquals(a, b);
            NDArray s = p.sample();
            assertEquals(3.0, s.mean().getFloat(), 0.02);
            assertEquals(0.5, LatentScale.latentStd(s), 0.02);
        }
    }
}
