package dev.usp.eval.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Top-1/top-5 accuracy in percent and mean cross-entropy over {@code count} examples, as timm's
 * {@code accuracy(output, target, topk=(1, 5))} and the official {@code evaluate} report them.
 */
public record Accuracy(double top1, double top5, double loss, long count) {

    /**
     * How many rows of {@code logits} (N, K) rank their label within the first {@code k}
     * (k is capped at K, as timm does). A label's rank is the number of classes with a strictly
     * larger logit, so ties count in the label's favour.
     *
     * @return the number of hits for each k
     */
    public static long[] correct(NDArray logits, long[] labels, int... ks) {
        Shape s = logits.getShape();
        if (s.dimension() != 2 || s.get(0) != labels.length) {
            throw new IllegalArgumentException("logits " + s + " do not match " + labels.length + " labels");
        }
        float[] v = logits.toFloatArray();
        double[] scores = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            scores[i] = v[i];
        }
        return correct(scores, (int) s.get(1), labels, ks);
    }

    /**
     * As {@link #correct(NDArray, long[], int...)} for scores held row-major in an array
     * (N = labels.length rows of {@code classes} values), e.g. a kNN classifier's class votes.
     */
    public static long[] correct(double[] scores, int classes, long[] labels, int... ks) {
        int n = labels.length;
        if (scores.length != (long) n * classes) {
            throw new IllegalArgumentException(scores.length + " scores are not " + n + " rows of " + classes);
        }
        long[] hits = new long[ks.length];
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " of row " + i + " is outside [0, "
                        + classes + ")");
            }
            double target = scores[i * classes + (int) labels[i]];
            int rank = 0;
            for (int c = 0; c < classes; c++) {
                if (scores[i * classes + c] > target) {
                    rank++;
                }
            }
            for (int j = 0; j < ks.length; j++) {
                if (rank < Math.min(ks[j], classes)) {
                    hits[j]++;
                }
            }
        }
        return hits;
    }
}
