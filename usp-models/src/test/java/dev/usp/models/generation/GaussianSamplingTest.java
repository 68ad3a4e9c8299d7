package dev.usp.models.generation;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Samplers against closed forms: for data ~ N(mu, s^2) per dimension the optimal epsilon
 * prediction and the true reverse variance are known, so DDPM (respaced, learned variance) and
 * DDIM must reproduce mean and variance up to sampling and discretisation error.
 */
class GaussianSamplingTest {

    private static final double[] MU = {0.5, -0.3};
    private static final double[] SD = {0.6, 0.8};
    private static final int N = 4000;

    /** The Bayes-optimal network for Gaussian data under {@code d}: eps and variance value v. */
    static DenoiserFn optimal(GaussianDiffusion d) {
        double[] base = GaussianDiffusion.create("").table(GaussianDiffusion.Table.ALPHAS_CUMPROD);
        Map<Long, Integer> local = new HashMap<>();
        int[] map = d.timestepMap();
        for (int i = 0; i < map.length; i++) {
            local.put((long) map[i], i);
        }
        double[] postVar = d.table(GaussianDiffusion.Table.POSTERIOR_VARIANCE);
        double[] minLog = d.table(GaussianDiffusion.Table.POSTERIOR_LOG_VARIANCE_CLIPPED);
        double[] maxLog = d.table(GaussianDiffusion.Table.LOG_BETAS);
        double[] coef1 = d.table(GaussianDiffusion.Table.POSTERIOR_MEAN_COEF1);
        return (x, t, y) -> {
            long[] ts = t.toLongArray();
            float[] xs = x.toFloatArray();
            int c = MU.length;
            float[] out = new float[ts.length * 2 * c];
            for (int n = 0; n < ts.length; n++) {
                double ab = base[(int) ts[n]];
                int i = local.get(ts[n]);
                for (int k = 0; k < c; k++) {
                    double s2 = SD[k] * SD[k];
                    double v = ab * s2 + 1 - ab;
                    double xv = xs[n * c + k];
                    double x0 = MU[k] + s2 * Math.sqrt(ab) * (xv - Math.sqrt(ab) * MU[k]) / v;
                    double var0 = s2 * (1 - ab) / v;
                    double trueVar = postVar[i] + coef1[i] * coef1[i] * var0;
                    out[n * 2 * c + k] = (float) ((xv - Math.sqrt(ab) * x0) / Math.sqrt(1 - ab));
                    out[n * 2 * c + c + k] = (float) (2 * (Math.log(trueVar) - minLog[i]) / (maxLog[i] - minLog[i]) - 1);
                }
            }
            return x.getManager().create(out, new Shape(ts.length, 2 * c));
        };
    }

    @Test
    void ddpmWithRespaced50StepsReproducesTheData() {
        GaussianDiffusion d = GaussianDiffusion.create("50");
        Engine.getInstance().setRandomSeed(11);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray noise = m.randomNormal(new Shape(N, 2));
            int before = m.getManagedArrays().size();
            NDArray x = d.pSampleLoop(optimal(d), noise, null, false);
            assertEquals(before + 1, m.getManagedArrays().size(), "only the result survives the loop");
            assertMoments(x, 0.05, 0.1);
        }
    }

    @Test
    void deterministicDdimReproducesTheData() {
        GaussianDiffusion d = GaussianDiffusion.create("ddim50");
        Engine.getInstance().setRandomSeed(12);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray noise = m.randomNormal(new Shape(N, 2));
            NDArray x = d.ddimSampleLoop(optimal(d), noise, null, false, 0.0);
            assertMoments(x, 0.05, 0.1);
            // DDIM with exact predictions is an affine map of the initial noise per dimension:
            // iterate its coefficients in double precision and compare sample by sample.
            double[] ab = d.table(GaussianDiffusion.Table.ALPHAS_CUMPROD);
            double[] abPrev = d.table(GaussianDiffusion.Table.ALPHAS_CUMPROD_PREV);
            float[] z = noise.toFloatArray();
            float[] got = x.toFloatArray();
            for (int k = 0; k < 2; k++) {
                double a = 1;
                double b = 0;
                double s2 = SD[k] * SD[k];
                for (int i = d.numTimesteps() - 1; i >= 0; i--) {
                    double v = ab[i] * s2 + 1 - ab[i];
                    double g = s2 * Math.sqrt(ab[i]) / v;
                    double x0a = g;
                    double x0b = MU[k] - g * Math.sqrt(ab[i]) * MU[k];
                    double ea = (1 - Math.sqrt(ab[i]) * x0a) / Math.sqrt(1 - ab[i]);
                    double eb = -Math.sqrt(ab[i]) * x0b / Math.sqrt(1 - ab[i]);
                    double pa = Math.sqrt(abPrev[i]) * x0a + Math.sqrt(1 - abPrev[i]) * ea;
                    double pb = Math.sqrt(abPrev[i]) * x0b + Math.sqrt(1 - abPrev[i]) * eb;
                    b = pa * b + pb;
                    a = pa * a;
                }
                for (int n = 0; n < N; n++) {
                    assertEquals(a * z[n * 2 + k] + b, got[n * 2 + k], 1e-4, "sample " + n + " dim " + k);
                }
            }
        }
    }

    /** Asserts per-dimension mean within {@code meanTol} and std within relative {@code sdTol}. */
    static void assertMoments(NDArray x, double meanTol, double sdTol) {
        float[] v = x.toFloatArray();
        int c = MU.length;
        int n = v.length / c;
        for (int k = 0; k < c; k++) {
            double sum = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                sum += v[i * c + k];
            }
            double mean = sum / n;
            for (int i = 0; i < n; i++) {
                double e = v[i * c + k] - mean;
                sq += e * e;
            }
            double sd = Math.sqrt(sq / (n - 1));
            assertEquals(MU[k], mean, meanTol, "mean of dim " + k);
            assertEquals(SD[k], sd, sdTol * SD[k], "std of dim " + k);
        }
    }
}
