package dev.usp.eval.metrics;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.usp.eval.io.Fixtures;
import dev.usp.eval.io.NpzFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * FD, IS and precision/recall against the ADM evaluator's formulas run by numpy/scipy
 * (scripts/fixtures/eval_metrics.py) on the same float32 features.
 */
class MetricsParityTest {

    private static JsonObject expected;
    private static Path features;

    @BeforeAll
    static void load() throws IOException {
        expected = new Gson().fromJson(Files.readString(Fixtures.path("expected.json")), JsonObject.class);
        features = Fixtures.path("features.npz");
    }

    private static FeatureMatrix set(String key) throws IOException {
        return FeatureMatrix.read(features, key);
    }

    private static double ref(String key) {
        return expected.get(key).getAsDouble();
    }

    @Test
    void statisticsMatchNpMeanAndCov() throws IOException {
        FidStatistics s = FidStatistics.compute(set("a"));
        try (NpzFile npz = NpzFile.open(Fixtures.path("expected.npz"))) {
            assertArrayEquals(npz.read("mu_a").toDoubleArray(), s.mu(), 1e-12);
            assertArrayEquals(npz.read("sigma_a").toDoubleArray(), s.sigma(), 1e-12);
        }
    }

    @Test
    void frechetDistanceMatchesScipySqrtm() throws IOException {
        // Rank-deficient covariances (c, d) have 44 zero eigenvalues in s1 s2 that round-off turns into
        // +-1e-13; their square roots (~3e-7 each) make any method uncertain by ~1e-8 relative.
        String[] pairs = {"a_b", "c_d", "e_f"};
        double[] tolerance = {1e-10, 1e-7, 1e-8};
        for (int i = 0; i < pairs.length; i++) {
            String pair = pairs[i];
            FidStatistics x = FidStatistics.compute(set(pair.substring(0, 1)));
            FidStatistics y = FidStatistics.compute(set(pair.substring(2)));
            double want = ref("fd_" + pair);
            assertEquals(want, x.frechetDistance(y), tolerance[i] * want, "FD " + pair);
            assertEquals(want, y.frechetDistance(x), tolerance[i] * want, "FD " + pair + " swapped");
        }
        FidStatistics a = FidStatistics.compute(set("a"));
        assertEquals(0, a.frechetDistance(a), 1e-9);
    }

    @Test
    void constantFeatureTakesTheEpsPathLikeTheEvaluator() throws IOException {
        assertEquals(true, expected.get("fd_e_f_eps_fallback").getAsBoolean());
        FidStatistics e = FidStatistics.compute(set("e"));
        FidStatistics f = FidStatistics.compute(set("f"));
        double exact = ref("fd_e_f");
        // Without the offset the distance moves by ~1e-6 relative: the tolerance above tells them apart.
        double noOffset = FrechetDistance.compute(e, f, 0);
        assertEquals(exact, FrechetDistance.compute(e, f), 1e-8 * exact);
        assertEquals(true, Math.abs(noOffset - exact) > 1e-7 * exact, "difference " + (noOffset - exact));
    }

    @Test
    void inceptionScoreMatchesSplitsOfTheEvaluator() throws IOException {
        FeatureMatrix p = set("softmax");
        assertEquals(ref("is_split_500"), InceptionScore.compute(p, 500), 1e-12);
        assertEquals(ref("is_split_5000"), InceptionScore.compute(p), 1e-12);
    }

    @Test
    void precisionRecallAndRadiiMatchManifoldEstimator() throws IOException {
        FeatureMatrix a = set("a");
        PrecisionRecall.Result pr = PrecisionRecall.compute(a, set("b"));
        assertEquals(ref("precision_a_b_k3"), pr.precision(), 0.0);
        assertEquals(ref("recall_a_b_k3"), pr.recall(), 0.0);
        try (NpzFile npz = NpzFile.open(Fixtures.path("expected.npz"))) {
            double[] want = npz.read("radii_a_k3").toDoubleArray();
            double[] got = PrecisionRecall.manifoldRadii(a, 3);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-10 * want[i], "radius " + i);
            }
        }
    }
}
