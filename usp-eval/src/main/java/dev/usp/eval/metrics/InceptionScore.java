package dev.usp.eval.metrics;

/**
 * The Inception Score of softmax predictions p(y|x) (N, classes), as the ADM evaluator's
 * {@code compute_inception_score}: rows are cut into consecutive splits of {@code splitSize}
 * (the last may be shorter); per split, {@code exp(mean_x KL(p(y|x) || p(y)))} with p(y) the
 * split's mean prediction; the score is the mean over splits. ADM uses 5000 rows per split: 10
 * splits for 50,000 samples.
 *
 * <p>A zero probability contributes 0 (the limit of p log p) where numpy's formula gives NaN.
 */
public final class InceptionScore {

    /** The evaluator's rows per split. */
    public static final int ADM_SPLIT_SIZE = 5000;

    private InceptionScore() {
    }

    /** The score with the evaluator's split size. */
    public static double compute(FeatureMatrix softmax) {
        return compute(softmax, ADM_SPLIT_SIZE);
    }

    public static double compute(FeatureMatrix softmax, int splitSize) {
        int n = softmax.rows();
        if (n == 0 || splitSize <= 0) {
            throw new IllegalArgumentException("Inception Score needs predictions and a positive split size, got "
                    + softmax + " and " + splitSize);
        }
        double sum = 0;
        int splits = 0;
        for (int from = 0; from < n; from += splitSize) {
            sum += Math.exp(meanKl(softmax, from, Math.min(n, from + splitSize)));
            splits++;
        }
        return sum / splits;
    }

    // mean over rows of sum_c p log(p / p_mean)
    private static double meanKl(FeatureMatrix p, int from, int to) {
        int c = p.dim();
        double[] marginal = new double[c];
        for (int i = from; i < to; i++) {
            for (int j = 0; j < c; j++) {
                double v = p.get(i, j);
                if (!(v >= 0)) {
                    throw new IllegalArgumentException("prediction [" + i + ", " + j + "] = " + v + " is not a probability");
                }
                marginal[j] += v;
            }
        }
        double[] logMarginal = new double[c];
        for (int j = 0; j < c; j++) {
            logMarginal[j] = Math.log(marginal[j] / (to - from));
        }
        double kl = 0;
        for (int i = from; i < to; i++) {
            for (int j = 0; j < c; j++) {
                double v = p.get(i, j);
                if (v > 0) {
                    kl += v * (Math.log(v) - logMarginal[j]);
                }
            }
        }
        return kl / (to - from);
    }
}
