package dev.usp.models.generation;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import dev.usp.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import static dev.usp.core.testing.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SiT's linear transport against reference values and against closed forms for Gaussian data. */
class TransportTest {

    private static final JsonObject FIX = Fixtures.load("transport.json");
    private static final double[] MU = {0.5, -0.3};
    private static final double[] SD = {0.6, 0.8};
    private static final int N = 2000;

    @Test
    void interpolantTargetAndLossMatchSiT() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x1 = Fixtures.array(m, FIX.get("x1"), DataType.FLOAT64);
            NDArray x0 = Fixtures.array(m, FIX.get("x0"), DataType.FLOAT64);
            NDArray t = Fixtures.array(m, FIX.get("t"), DataType.FLOAT64);
            NDArray pred = Fixtures.array(m, FIX.get("pred"), DataType.FLOAT64);
            Transport.Losses l = Transport.trainingLosses((x, tt, y) -> {
                assertClose(FIX.get("t"), tt, 0, 0, "model time");
                return pred;
            }, x1, null, t, x0);
            assertClose(FIX.get("xt"), l.xt(), 1e-12, 1e-12, "x_t");
            assertClose(FIX.get("ut"), l.ut(), 1e-12, 1e-12, "u_t");
            assertClose(FIX.get("loss"), l.loss(), 1e-12, 1e-12, "loss");

            double ts = FIX.get("sde_t").getAsDouble();
            assertClose(FIX.get("score"), LinearPath.scoreFromVelocity(pred, l.xt(), ts), 1e-12, 1e-12, "score");
            NDArray drift = Transport.sdeDrift((x, tt, y) -> pred, null, "sigma", 1.0).apply(l.xt(), ts);
            assertClose(FIX.get("sde_drift"), drift, 1e-12, 1e-12, "SDE drift");
        }
    }

    /** The optimal velocity E[x1 - x0 | x_t] for Gaussian data, per dimension. */
    static VelocityFn optimal() {
        return (x, t, y) -> {
            float[] xs = x.toFloatArray();
            float[] ts = t.toFloatArray();
            float[] out = new float[xs.length];
            int c = MU.length;
            for (int n = 0; n < ts.length; n++) {
                double tt = ts[n];
                for (int k = 0; k < c; k++) {
                    double v = tt * tt * SD[k] * SD[k] + (1 - tt) * (1 - tt);
                    double r = xs[n * c + k] - tt * MU[k];
                    out[n * c + k] = (float) (MU[k] + tt * SD[k] * SD[k] * r / v - (1 - tt) * r / v);
                }
            }
            return x.getManager().create(out, x.getShape());
        };
    }

    @Test
    void odeSamplersTransportNoiseToTheData() {
        Engine.getInstance().setRandomSeed(21);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.randomNormal(new Shape(N, 2));
            NDArray exact = z.mul(m.create(new float[] {(float) SD[0], (float) SD[1]}))
                    .add(m.create(new float[] {(float) MU[0], (float) MU[1]}));
            int before = m.getManagedArrays().size();
            NDArray dopri = Transport.sampleOde(optimal(), null, z, "dopri5", 50, 1e-6, 1e-3);
            assertEquals(before + 1, m.getManagedArrays().size(), "only the result survives dopri5");
            // SiT's defaults (atol 1e-6, rtol 1e-3, RMS over the whole batch) leave a few 1e-3 per sample.
            assertMaxError(exact, dopri, 1e-2, "dopri5 at SiT's tolerances");
            assertMaxError(exact, Transport.sampleOde(optimal(), null, z, "dopri5", 50, 1e-7, 1e-6), 1e-4, "tight dopri5");
            assertMaxError(exact, Transport.sampleOde(optimal(), null, z, "heun", 50, 0, 0), 2e-3, "heun");
            assertMaxError(exact, Transport.sampleOde(optimal(), null, z, "euler", 100, 0, 0), 5e-2, "euler");
        }
    }

    @Test
    void sdeSamplerReproducesTheMoments() {
        Engine.getInstance().setRandomSeed(22);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.randomNormal(new Shape(N, 2));
            NDArray x = Transport.sampleSde(optimal(), null, z, 250, "sigma", 1.0, 0.04);
            float[] v = x.toFloatArray();
            for (int k = 0; k < 2; k++) {
                double sum = 0;
                double sq = 0;
                for (int i = 0; i < N; i++) {
                    sum += v[i * 2 + k];
                    sq += v[i * 2 + k] * (double) v[i * 2 + k];
                }
                double mean = sum / N;
                double sd = Math.sqrt(sq / N - mean * mean);
                assertEquals(MU[k], mean, 0.06, "SDE mean of dim " + k);
                assertEquals(SD[k], sd, 0.1 * SD[k], "SDE std of dim " + k);
            }
        }
    }

    @Test
    void dopri5MeetsItsToleranceOnAKnownSolution() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = m.create(new double[] {1.0, -2.0, 0.5});
            // dx/dt = -cos(t) x  =>  x(t) = x0 exp(-sin t)
            NDArray x = Integrators.dopri5((y, t) -> y.mul(-Math.cos(t)), x0, 0.0, 2.0, 1e-9, 1e-7);
            double[] got = x.toDoubleArray();
            double[] init = {1.0, -2.0, 0.5};
            for (int i = 0; i < 3; i++) {
                assertEquals(init[i] * Math.exp(-Math.sin(2.0)), got[i], 1e-6, "component " + i);
            }
        }
    }

    @Test
    void torchLinspaceGridIsSymmetricFloat32() {
        double[] g = Integrators.grid(0.0, 0.96, 250);
        assertEquals(0.0, g[0]);
        assertEquals((float) 0.96, g[249]);
        assertEquals(250, g.length);
        assertTrue(g[1] > 0 && g[1] < 0.004);
    }

    private static void assertMaxError(NDArray exact, NDArray got, double tol, String what) {
        float err = got.sub(exact).abs().max().getFloat();
        assertTrue(err < tol, what + ": max error " + err + " >= " + tol);
    }
}
