package dev.usp.models.generation;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import dev.usp.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.usp.core.testing.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compares GaussianDiffusion with ADM/DiT reference values (scripts/fixtures/train_math.py). */
class GaussianDiffusionTest {

    private static final JsonObject FIX = Fixtures.load("diffusion.json");

    @Test
    void tablesMatchAdmInFloat64() {
        GaussianDiffusion d = GaussianDiffusion.create("");
        assertEquals(1000, d.numTimesteps());
        long[] probe = Fixtures.longs(FIX.get("probe_t"));
        JsonObject tables = FIX.getAsJsonObject("tables");
        for (GaussianDiffusion.Table which : GaussianDiffusion.Table.values()) {
            double[] table = d.table(which);
            double[] got = new double[probe.length];
            for (int i = 0; i < probe.length; i++) {
                got[i] = table[(int) probe[i]];
            }
            assertClose(Fixtures.numbers(tables.get(which.name())), got, 0, 1e-12, which.name());
        }
    }

    @Test
    void respacingMatchesSpaceTimesteps() {
        for (String spec : new String[] {"250", "ddim25", "ddim50", "10,15,20"}) {
            JsonObject r = FIX.getAsJsonObject("respaced_" + spec);
            GaussianDiffusion d = GaussianDiffusion.create(spec);
            long[] expected = Fixtures.longs(r.get("timesteps"));
            assertArrayEquals(expected, Arrays.stream(d.timestepMap()).asLongStream().toArray(), spec);
            assertClose(Fixtures.numbers(r.get("betas")), d.table(GaussianDiffusion.Table.BETAS), 1e-15, 1e-12, spec);
        }
        assertThrows(IllegalArgumentException.class, () -> Respacing.spaceTimesteps(1000, "ddim300"));
    }

    @Test
    void forwardPosteriorAndLossesMatchInFloat64() {
        checkBatch(DataType.FLOAT64, 1e-9, 1e-9);
    }

    @Test
    void forwardPosteriorAndLossesMatchInFloat32() {
        checkBatch(DataType.FLOAT32, 2e-5, 2e-4);
    }

    private void checkBatch(DataType type, double atol, double rtol) {
        JsonObject b = FIX.getAsJsonObject("batch");
        GaussianDiffusion d = GaussianDiffusion.create("");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = Fixtures.array(m, b.get("x0"), type);
            NDArray noise = Fixtures.array(m, b.get("noise"), type);
            NDArray out = Fixtures.array(m, b.get("model_out"), type);
            NDArray t = m.create(Fixtures.longs(b.get("t")));
            NDArray xt = d.qSample(x0, t, noise);
            assertClose(b.get("xt"), xt, atol, rtol, "q_sample");
            GaussianDiffusion.Posterior post = d.qPosteriorMeanVariance(x0, xt, t);
            assertClose(b.get("post_mean"), post.mean(), atol, rtol, "posterior mean");
            assertClose(b.get("post_var"), post.variance(), atol, rtol, "posterior variance");
            assertClose(b.get("post_logvar"), post.logVariance(), atol, rtol, "posterior log variance");
            GaussianDiffusion.PMeanVariance pm = d.pMeanVarianceFromOutput(out, xt, t, false);
            assertClose(b.get("pm_mean"), pm.mean(), atol, rtol, "p mean");
            assertClose(b.get("pm_var"), pm.variance(), atol, rtol, "p variance");
            assertClose(b.get("pm_logvar"), pm.logVariance(), atol, rtol, "p log variance");
            assertClose(b.get("pm_x0"), pm.predXstart(), atol, rtol, "p pred_xstart");
            GaussianDiffusion.PMeanVariance pmc = d.pMeanVarianceFromOutput(out, xt, t, true);
            assertClose(b.get("pmc_mean"), pmc.mean(), atol, rtol, "clipped p mean");
            assertClose(b.get("pmc_x0"), pmc.predXstart(), atol, rtol, "clipped pred_xstart");

            long[][] seenT = new long[1][];
            GaussianDiffusion.Losses l = d.trainingLosses((x, ts, y) -> {
                seenT[0] = ts.toLongArray();
                assertClose(b.get("xt"), x, atol, rtol, "model input");
                return out;
            }, x0, t, null, noise);
            assertArrayEquals(Fixtures.longs(b.get("t")), seenT[0], "model timesteps");
            assertClose(b.get("mse"), l.mse(), atol, rtol, "mse");
            assertClose(b.get("vb"), l.vb(), atol, rtol, "vb");
            assertClose(b.get("loss"), l.loss(), atol, rtol, "loss");
        }
    }

    @Test
    void respacedStepsCallTheModelWithOriginalTimesteps() {
        JsonObject s = FIX.getAsJsonObject("spaced_step");
        JsonObject b = FIX.getAsJsonObject("batch");
        GaussianDiffusion d = GaussianDiffusion.create(s.get("spec").getAsString());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Fixtures.array(m, s.get("x"), DataType.FLOAT64);
            NDArray out = Fixtures.array(m, b.get("model_out"), DataType.FLOAT64);
            NDArray noise = Fixtures.array(m, b.get("step_noise"), DataType.FLOAT64);
            NDArray t = m.create(Fixtures.longs(s.get("t")));
            long[][] seen = new long[1][];
            DenoiserFn model = (xx, ts, y) -> {
                seen[0] = ts.toLongArray();
                return out;
            };
            GaussianDiffusion.SampleStep p = d.pSample(model, x, t, null, false, noise);
            assertArrayEquals(Fixtures.longs(s.get("model_t")), seen[0]);
            assertClose(s.get("p_sample"), p.sample(), 1e-9, 1e-9, "p_sample");
            assertClose(s.get("p_sample_x0"), p.predXstart(), 1e-9, 1e-9, "p_sample x0");
            assertClose(s.get("ddim_eta0"), d.ddimSample(model, x, t, null, false, 0.0, noise).sample(),
                    1e-9, 1e-9, "ddim eta 0");
            assertClose(s.get("ddim_eta05"), d.ddimSample(model, x, t, null, false, 0.5, noise).sample(),
                    1e-9, 1e-9, "ddim eta 0.5");
        }
    }

    @Test
    void vbTermTrainsOnlyTheVarianceChannels() {
        JsonObject b = FIX.getAsJsonObject("batch");
        GaussianDiffusion d = GaussianDiffusion.create("");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x0 = Fixtures.array(m, b.get("x0"), DataType.FLOAT32);
            NDArray noise = Fixtures.array(m, b.get("noise"), DataType.FLOAT32);
            NDArray out = Fixtures.array(m, b.get("model_out"), DataType.FLOAT32);
            out.setRequiresGradient(true);
            NDArray t = m.create(new long[] {0, 1, 500, 999});
            NDArray xt = d.qSample(x0, t, noise);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(d.lossesFromOutput(out, x0, xt, t, noise).vb().sum());
            }
            NDList g = out.getGradient().split(2, 1);
            assertEquals(0f, g.get(0).abs().sum().getFloat());
            assertTrue(g.get(1).abs().sum().getFloat() > 0);
            out.getGradient().subi(out.getGradient());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(d.lossesFromOutput(out, x0, xt, t, noise).mse().sum());
            }
            NDList g2 = out.getGradient().split(2, 1);
            assertTrue(g2.get(0).abs().sum().getFloat() > 0);
            assertEquals(0f, g2.get(1).abs().sum().getFloat());
        }
    }

    @Test
    void rejectsOutOfRangeTimestepsAndWrongOutputShapes() {
        GaussianDiffusion d = GaussianDiffusion.create("250");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new ai.djl.ndarray.types.Shape(2, 3, 4, 4));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> d.qSample(x, m.create(new long[] {0, 250}), x));
            assertTrue(e.getMessage().contains("250"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> d.pMeanVarianceFromOutput(x, x, m.create(new long[] {0, 1}), false));
            assertTrue(e.getMessage().contains("(2, 6, 4, 4)"), e.getMessage());
            long[] drawn = d.sampleTimesteps(m, 500).toLongArray();
            assertTrue(Arrays.stream(drawn).allMatch(v -> v >= 0 && v < 250));
            assertTrue(Arrays.stream(drawn).anyMatch(v -> v >= 200), "draws cover the range");
        }
    }
}
