package dev.usp.eval.knn;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.usp.eval.io.NpzFile;
import dev.usp.eval.metrics.FeatureMatrix;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** DINO-style weighted kNN against the numpy reference of scripts/fixtures/eval_cli.py. */
class WeightedKnnTest {

    static Path fixture(String name) throws Exception {
        return Path.of(WeightedKnnTest.class.getResource("/fixtures/eval_cli/" + name).toURI());
    }

    @Test
    void votesAndAccuracyEqualNumpy() throws Exception {
        JsonObject want = JsonParser.parseString(Files.readString(fixture("expected.json"))).getAsJsonObject();
        try (NpzFile npz = NpzFile.open(fixture("knn.npz"))) {
            FeatureMatrix train = FeatureMatrix.fromNpy(npz.read("train"), "train");
            FeatureMatrix test = FeatureMatrix.fromNpy(npz.read("test"), "test");
            long[] trainLabels = npz.read("train_labels").toLongArray();
            long[] testLabels = npz.read("test_labels").toLongArray();
            double[] refVotes = npz.read("votes").toDoubleArray();

            double[] votes = WeightedKnn.votes(train, trainLabels, test, 10, 20, 0.07);
            for (int i = 0; i < votes.length; i++) {
                assertEquals(refVotes[i], votes[i], 1e-9 * Math.max(1, refVotes[i]), "vote " + i);
            }
            WeightedKnn.Result r = WeightedKnn.evaluate(train, trainLabels, test, testLabels, 10);
            assertEquals(want.get("knn_top1").getAsDouble(), r.top1(), 1e-9);
            assertEquals(want.get("knn_top5").getAsDouble(), r.top5(), 1e-9);
            assertEquals(50, r.queries());
            WeightedKnn.Result r5 = WeightedKnn.evaluate(train, trainLabels, test, testLabels, 10, 5, 0.5);
            assertEquals(want.get("knn_k5_t05_top1").getAsDouble(), r5.top1(), 1e-9);
            assertEquals(want.get("knn_k5_t05_top5").getAsDouble(), r5.top5(), 1e-9);
        }
    }

    @Test
    void handWorkedExample() {
        // memory bank on the unit circle: two rows of class 0 near (1, 0), one of class 1 at (0, 1)
        FeatureMatrix train = FeatureMatrix.of(new float[][] {{2, 0}, {1, 0.125f}, {0, 3}});
        FeatureMatrix query = FeatureMatrix.of(new float[][] {{0.125f, 1}});
        double[] v = WeightedKnn.votes(train, new long[] {0, 0, 1}, query, 2, 2, 1.0);
        double norm = Math.sqrt(0.125 * 0.125 + 1);
        double s1 = 0.125 / norm;                                     // to (1, 0)
        double s2 = (0.125 + 0.125) / (norm * norm);                  // to (1, 0.125): the second nearest
        double s3 = 1 / norm;                                         // to (0, 1): the nearest
        assertEquals(Math.exp(s2), v[0], 1e-12);
        assertEquals(Math.exp(s3), v[1], 1e-12);
        assertEquals(true, s1 < s2);
        // k larger than the bank uses every row
        double[] all = WeightedKnn.votes(train, new long[] {0, 0, 1}, query, 2, 50, 1.0);
        assertEquals(Math.exp(s1) + Math.exp(s2), all[0], 1e-12);
    }

    @Test
    void mismatchedInputsAreErrors() {
        FeatureMatrix a = FeatureMatrix.of(new float[][] {{1, 0}, {0, 1}});
        FeatureMatrix b = FeatureMatrix.of(new float[][] {{1, 0, 0}});
        assertThrows(IllegalArgumentException.class, () -> WeightedKnn.votes(a, new long[] {0, 1}, b, 2, 1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> WeightedKnn.votes(a, new long[] {0}, a, 2, 1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> WeightedKnn.votes(a, new long[] {0, 2}, a, 2, 1, 0.1));
    }
}
