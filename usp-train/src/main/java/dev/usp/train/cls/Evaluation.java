package dev.usp.train.cls;

import dev.usp.eval.metrics.Accuracy;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.vae.cache.LatentCache;

import java.util.function.UnaryOperator;

/**
 * Evaluates a classifier on a held-out latent cache as the official {@code evaluate} does: every
 * image once, posterior mean of the unflipped image times the scale factor, top-1/top-5 and mean
 * cross-entropy.
 */
public final class Evaluation {

    private Evaluation() {
    }

    /** The logits (B, K) of test images, created in the given manager. */
    @FunctionalInterface
    public interface ImageLogits {
        /** Logits of images {@code indices} of the test cache, in {@code m}. */
        NDArray logits(int[] indices, NDManager m);
    }

    /**
     * Runs {@code logitsOf} (latents (B, z, h, w) -> logits (B, K)) over the whole cache in batches;
     * each batch's arrays live in a sub-manager of {@code parent}, closed after the batch.
     */
    public static Accuracy evaluate(LatentCache test, int batchSize, UnaryOperator<NDArray> logitsOf,
                                    NDManager parent) {
        return evaluate(test, batchSize, (indices, m) -> logitsOf.apply(test.meanLatents(indices, m)), parent);
    }

    /** As {@link #evaluate(LatentCache, int, UnaryOperator, NDManager)}, from logits by image index. */
    public static Accuracy evaluate(LatentCache test, int batchSize, ImageLogits logitsOf, NDManager parent) {
        long[] hits = new long[2];
        double lossSum = 0;
        int n = test.size();
        for (int start = 0; start < n; start += batchSize) {
            int count = Math.min(batchSize, n - start);
            int[] indices = new int[count];
            long[] labels = new long[count];
            for (int j = 0; j < count; j++) {
                indices[j] = start + j;
                labels[j] = test.label(start + j);
            }
            try (NDManager m = parent.newSubManager()) {
                NDArray logits = logitsOf.logits(indices, m);
                long[] h = Accuracy.correct(logits, labels, 1, 5);
                hits[0] += h[0];
                hits[1] += h[1];
                lossSum += crossEntropySum(logits.toFloatArray(), labels);
            }
        }
        return new Accuracy(100.0 * hits[0] / n, 100.0 * hits[1] / n, lossSum / n, n);
    }

    /** Sum over rows of {@code logsumexp(row) - row[label]} for row-major logits. */
    static double crossEntropySum(float[] logits, long[] labels) {
        int classes = logits.length / labels.length;
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits[i * classes + c]);
            }
            double z = 0;
            for (int c = 0; c < classes; c++) {
                z += Math.exp(logits[i * classes + c] - max);
            }
            sum += max + Math.log(z) - logits[i * classes + (int) labels[i]];
        }
        return sum;
    }
}
