package dev.usp.train.mix;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import dev.usp.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;

import static dev.usp.core.testing.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** timm's batch-mode Mixup/CutMix and soft-target cross entropy with injected draws. */
class MixupTest {

    private static final JsonObject FIX = Fixtures.load("mix.json");

    /** Replays fixed draws in the order timm makes them. */
    private static MixRandom replay(double... draws) {
        Deque<Double> q = new ArrayDeque<>();
        for (double d : draws) {
            q.add(d);
        }
        return new MixRandom() {
            @Override
            public double uniform() {
                return q.remove();
            }

            @Override
            public double beta(double alpha) {
                return q.remove();
            }

            @Override
            public int randint(int low, int high) {
                return q.remove().intValue();
            }
        };
    }

    @Test
    void mixupAndCutmixMatchTimm() {
        Mixup mix = Mixup.maeFinetune(FIX.get("num_classes").getAsInt());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Fixtures.array(m, FIX.get("x"), DataType.FLOAT32);
            NDArray y = m.create(Fixtures.longs(FIX.get("y")));

            JsonObject mu = FIX.getAsJsonObject("mixup");
            Mixup.Result r = mix.apply(x, y, replay(Fixtures.numbers(mu.get("draws"))));
            assertNull(r.decision().box());
            assertEquals(mu.get("lam").getAsDouble(), r.decision().lam());
            assertClose(mu.get("x"), r.x(), 1e-6, 1e-6, "mixup x");
            assertClose(mu.get("target"), r.target(), 1e-7, 1e-6, "mixup target");

            JsonObject cm = FIX.getAsJsonObject("cutmix");
            Mixup.Result c = mix.apply(x, y, replay(Fixtures.numbers(cm.get("draws"))));
            long[] box = Fixtures.longs(cm.get("box"));
            Mixup.Box b = c.decision().box();
            assertEquals(box[0], b.yl());
            assertEquals(box[1], b.yh());
            assertEquals(box[2], b.xl());
            assertEquals(box[3], b.xh());
            assertEquals(cm.get("lam").getAsDouble(), c.decision().lam(), 1e-15);
            assertClose(cm.get("x"), c.x(), 0, 0, "cutmix x");
            assertClose(cm.get("target"), c.target(), 1e-7, 1e-6, "cutmix target");

            JsonObject ce = FIX.getAsJsonObject("soft_ce");
            NDArray logits = Fixtures.array(m, ce.get("logits"), DataType.FLOAT32);
            assertEquals(ce.get("loss").getAsDouble(), SoftTargetCrossEntropy.loss(logits, c.target()).getFloat(), 1e-6);
        }
    }

    @Test
    void noMixingWhenTheProbabilityDrawFails() {
        Mixup mix = new Mixup(0.8, 1.0, 0.5, 0.5, 0.1, 5);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = Fixtures.array(m, FIX.get("x"), DataType.FLOAT32);
            Mixup.Result r = mix.apply(x, m.create(new long[] {0, 1, 2, 3}), replay(0.9));
            assertEquals(1.0, r.decision().lam());
            assertEquals(0f, r.x().sub(x).abs().max().getFloat());
            // Smoothing alone: on = 1 - 0.1 + 0.02, off = 0.02.
            assertEquals(0.92f, r.target().getFloat(0, 0), 1e-7f);
            assertEquals(0.02f, r.target().getFloat(0, 1), 1e-7f);
        }
    }

    @Test
    void seededBetaHasTheRightMoments() {
        MixRandom rng = MixRandom.seeded(5);
        int n = 20000;
        double sum = 0;
        double sq = 0;
        for (int i = 0; i < n; i++) {
            double v = rng.beta(0.8);
            sum += v;
            sq += v * v;
        }
        double mean = sum / n;
        double var = sq / n - mean * mean;
        assertEquals(0.5, mean, 0.01);
        assertEquals(1.0 / (4 * (2 * 0.8 + 1)), var, 0.005);
    }
}
