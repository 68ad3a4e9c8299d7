package dev.usp.eval.metrics;

import dev.usp.eval.io.Fixtures;
import dev.usp.eval.io.NpzFile;
import dev.usp.eval.io.NpzWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Closed-form cases, statistics files and failures of the metrics. */
class MetricsBehaviourTest {

    @Test
    void frechetDistanceOfDiagonalGaussiansIsClosedForm() {
        // FD = |mu1 - mu2|^2 + sum (sqrt(a_i) - sqrt(b_i))^2 for diagonal covariances.
        double[] a = {4, 1, 0.25};
        double[] b = {1, 9, 0.25};
        FidStatistics x = new FidStatistics(new double[] {0, 1, 2}, diag(a));
        FidStatistics y = new FidStatistics(new double[] {1, 1, 0}, diag(b));
        double want = 1 + 4 + (2 - 1) * (2 - 1) + (1 - 3) * (1 - 3) + 0;
        assertEquals(want, x.frechetDistance(y), 1e-12);
    }

    @Test
    void frechetDistanceRejectsBadInput() {
        FidStatistics x = new FidStatistics(new double[] {0, 0}, diag(new double[] {1, 1}));
        FidStatistics notPsd = new FidStatistics(new double[] {0, 0}, diag(new double[] {1, -0.5}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.frechetDistance(notPsd));
        assertTrue(e.getMessage().contains("positive semi-definite"), e.getMessage());
        FidStatistics nan = new FidStatistics(new double[] {0, Double.NaN}, diag(new double[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> x.frechetDistance(nan));
        FidStatistics three = new FidStatistics(new double[3], diag(new double[] {1, 1, 1}));
        assertThrows(IllegalArgumentException.class, () -> x.frechetDistance(three));
        assertThrows(IllegalArgumentException.class, () -> new FidStatistics(new double[2], new double[3]));
    }

    @Test
    void readsAndWritesAdmStatistics(@TempDir Path dir) throws IOException {
        Path ref = Fixtures.path("adm_ref_tiny.npz");
        AdmStatistics stats = AdmStatistics.read(ref).orElseThrow();
        assertEquals(16, stats.pool().dim());
        assertEquals(8, stats.spatial().dim());
        try (NpzFile npz = NpzFile.open(ref)) {
            assertArrayEquals(npz.read("sigma_s").toDoubleArray(), stats.spatial().sigma(), 0.0);
            assertArrayEquals(npz.read("mu").toDoubleArray(), stats.pool().mu(), 0.0);
        }
        Path copy = dir.resolve("stats.npz");
        NpzWriter.write(copy, stats::write);
        AdmStatistics back = AdmStatistics.read(copy).orElseThrow();
        assertArrayEquals(stats.pool().sigma(), back.pool().sigma(), 0.0);
        assertArrayEquals(stats.spatial().mu(), back.spatial().mu(), 0.0);
        assertFalse(AdmStatistics.read(Fixtures.path("dtypes.npz")).isPresent());
        IOException e = assertThrows(IOException.class, () -> {
            try (NpzFile npz = NpzFile.open(ref)) {
                FidStatistics.read(npz, "mu", "sigma_s");
            }
        });
        assertTrue(e.getMessage().contains("[sigma_s]") && e.getMessage().contains("adm_ref_tiny.npz"), e.getMessage());
    }

    @Test
    void nonFiniteReferenceStatisticsNameFileKeyAndIndex(@TempDir Path dir) throws IOException {
        double[] sigma = {1, 0, 0, Double.NaN};
        Path ref = dir.resolve("nan-ref.npz");
        NpzWriter.write(ref, npz -> new FidStatistics(new double[] {0, 0}, sigma).write(npz, "mu", "sigma"));
        IOException e = assertThrows(IOException.class, () -> {
            try (NpzFile npz = NpzFile.open(ref)) {
                FidStatistics.read(npz, "mu", "sigma");
            }
        });
        assertTrue(e.getMessage().contains("nan-ref.npz") && e.getMessage().contains("[sigma] hold NaN at flat index 3"),
                e.getMessage());
    }

    @Test
    void inceptionScoreOfConfidentDistinctClassesIsTheClassCount() {
        float[][] p = new float[40][];
        for (int i = 0; i < p.length; i++) {
            p[i] = new float[4];
            p[i][i % 4] = 1f;
        }
        assertEquals(4.0, InceptionScore.compute(FeatureMatrix.of(p), 20), 1e-12);
        float[][] same = new float[10][];
        Arrays.fill(same, new float[] {0.5f, 0.5f});
        assertEquals(1.0, InceptionScore.compute(FeatureMatrix.of(same)), 1e-12);
        assertThrows(IllegalArgumentException.class,
                () -> InceptionScore.compute(FeatureMatrix.of(new float[][] {{-0.1f, 1.1f}})));
    }

    @Test
    void precisionRecallOfIdenticalSetsIsOneAndOfFarSetsZero() {
        Random rnd = new Random(7);
        float[][] x = new float[30][5];
        float[][] far = new float[30][5];
        for (int i = 0; i < 30; i++) {
            for (int j = 0; j < 5; j++) {
                x[i][j] = (float) rnd.nextGaussian();
                far[i][j] = x[i][j] + 100;
            }
        }
        FeatureMatrix a = FeatureMatrix.of(x);
        assertEquals(new PrecisionRecall.Result(1, 1), PrecisionRecall.compute(a, a));
        assertEquals(new PrecisionRecall.Result(0, 0), PrecisionRecall.compute(a, FeatureMatrix.of(far)));
        assertThrows(IllegalArgumentException.class, () -> PrecisionRecall.manifoldRadii(a, 30));
    }

    @Test
    void selectFindsOrderStatistics() {
        Random rnd = new Random(3);
        for (int trial = 0; trial < 200; trial++) {
            double[] v = new double[1 + rnd.nextInt(50)];
            for (int i = 0; i < v.length; i++) {
                v[i] = rnd.nextInt(8);
            }
            double[] sorted = v.clone();
            Arrays.sort(sorted);
            int k = rnd.nextInt(v.length);
            assertEquals(sorted[k], Select.kthSmallest(v.clone(), k));
        }
    }

    private static double[] diag(double[] v) {
        double[] m = new double[v.length * v.length];
        for (int i = 0; i < v.length; i++) {
            m[i * v.length + i] = v[i];
        }
        return m;
    }
}
