package dev.usp.eval.knn;

import dev.usp.eval.metrics.FeatureMatrix;
import dev.usp.eval.metrics.Linalg;
import dev.usp.eval.metrics.Accuracy;
import org.ejml.data.DMatrixRBlock;
import org.ejml.data.DMatrixRMaj;

/**
 * Weighted k-nearest-neighbour classification of frozen features, as DINO's
 * {@code eval_knn.py knn_classifier}: features are L2-normalised, a query's k most similar
 * training rows (cosine similarity) each vote for their label with weight {@code exp(sim / T)},
 * and the classes are ranked by their summed votes. A query counts for top-n when fewer than n
 * classes have strictly more votes than its label ({@link Accuracy#correct(double[], int, long[], int...)};
 * DINO's sort breaks such ties arbitrarily). Among equally similar training rows the lower index
 * is taken first.
 *
 * <p>Pure function of the feature matrices; similarities in double precision, computed in blocks
 * of queries against the whole memory bank with EJML ({@link Linalg}).
 */
public final class WeightedKnn {

    /** DINO's default neighbourhood. */
    public static final int DINO_K = 20;
    /** DINO's default temperature. */
    public static final double DINO_T = 0.07;
    /** Similarity values per block (queries times memory-bank rows). */
    private static final long BLOCK_VALUES = 1L << 24;

    /**
     * kNN top-1/top-5 accuracy.
     *
     * @param top1       percent of queries whose label has the most votes
     * @param top5       percent of queries whose label is among the 5 classes with the most votes
     * @param k          neighbours used (capped at the memory-bank size)
     * @param temperature T
     * @param queries    number of queries
     */
    public record Result(double top1, double top5, int k, double temperature, int queries) {
    }

    private WeightedKnn() {
    }

    /** Accuracy of the test features against the training memory bank with DINO's k = 20, T = 0.07. */
    public static Result evaluate(FeatureMatrix train, long[] trainLabels, FeatureMatrix test, long[] testLabels,
                                  int classes) {
        return evaluate(train, trainLabels, test, testLabels, classes, DINO_K, DINO_T);
    }

    /** Accuracy of the test features against the training memory bank. */
    public static Result evaluate(FeatureMatrix train, long[] trainLabels, FeatureMatrix test, long[] testLabels,
                                  int classes, int k, double temperature) {
        if (testLabels.length != test.rows()) {
            throw new IllegalArgumentException(test.rows() + " test features but " + testLabels.length + " labels");
        }
        double[] votes = votes(train, trainLabels, test, classes, k, temperature);
        long[] hits = Accuracy.correct(votes, classes, testLabels, 1, 5);
        int q = test.rows();
        return new Result(100.0 * hits[0] / q, 100.0 * hits[1] / q, Math.min(k, train.rows()), temperature, q);
    }

    /** The class votes (Q, classes) row-major: per query, the sum of {@code exp(sim / T)} over its k nearest rows' labels. */
    public static double[] votes(FeatureMatrix train, long[] trainLabels, FeatureMatrix test, int classes, int k,
                                 double temperature) {
        int n = train.rows();
        int q = test.rows();
        if (trainLabels.length != n) {
            throw new IllegalArgumentException(n + " training features but " + trainLabels.length + " labels");
        }
        if (train.dim() != test.dim()) {
            throw new IllegalArgumentException("feature dimensions differ: train " + train + ", test " + test);
        }
        if (n == 0 || k <= 0 || temperature <= 0) {
            throw new IllegalArgumentException("kNN needs training rows, k > 0 and T > 0; got " + n + " rows, k " + k
                    + ", T " + temperature);
        }
        for (int i = 0; i < n; i++) {
            if (trainLabels[i] < 0 || trainLabels[i] >= classes) {
                throw new IllegalArgumentException("training label " + trainLabels[i] + " of row " + i
                        + " is outside [0, " + classes + ")");
            }
        }
        int kk = Math.min(k, n);
        double[] votes = new double[q * classes];
        int block = (int) Math.max(1, Math.min(q, BLOCK_VALUES / n));
        DMatrixRBlock bank = normalisedRows(train, 0, n);
        int[] idx = new int[kk];
        double[] sim = new double[kk];
        for (int from = 0; from < q; from += block) {
            int to = Math.min(q, from + block);
            double[] s = Linalg.toRowMajor(Linalg.multTransB(normalisedRows(test, from, to), bank));   // (to - from, N)
            for (int i = from; i < to; i++) {
                int filled = topK(s, (i - from) * n, n, idx, sim);
                for (int j = 0; j < filled; j++) {
                    votes[i * classes + (int) trainLabels[idx[j]]] += Math.exp(sim[j] / temperature);
                }
            }
        }
        return votes;
    }

    /**
     * The {@code idx.length} largest of {@code s[off .. off + n)}, largest first, lower index first
     * among equals; returns how many were found.
     */
    private static int topK(double[] s, int off, int n, int[] idx, double[] sim) {
        int k = idx.length;
        int filled = 0;
        for (int j = 0; j < n; j++) {
            double v = s[off + j];
            if (filled == k && v <= sim[k - 1]) {
                continue;
            }
            int pos = filled < k ? filled++ : k - 1;
            while (pos > 0 && sim[pos - 1] < v) {
                sim[pos] = sim[pos - 1];
                idx[pos] = idx[pos - 1];
                pos--;
            }
            sim[pos] = v;
            idx[pos] = j;
        }
        return filled;
    }

    /** Rows [from, to) as doubles divided by max(|row|, 1e-12), as {@code F.normalize}. */
    private static DMatrixRBlock normalisedRows(FeatureMatrix m, int from, int to) {
        int d = m.dim();
        double[] out = new double[(to - from) * d];
        float[] x = m.data();
        for (int i = from; i < to; i++) {
            double norm = 0;
            for (int j = 0; j < d; j++) {
                double v = x[i * d + j];
                norm += v * v;
            }
            double inv = 1.0 / Math.max(Math.sqrt(norm), 1e-12);
            for (int j = 0; j < d; j++) {
                out[(i - from) * d + j] = x[i * d + j] * inv;
            }
        }
        return Linalg.block(DMatrixRMaj.wrap(to - from, d, out));
    }
}
