package dev.usp.eval.sample;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which samples to draw: sample i (0-based) has seed {@code baseSeed + i} and label
 * {@code labels[i % labels.length]}, or, without labels, a label drawn from its own seed, so any
 * sample can be regenerated alone from its index.
 *
 * @param count number of samples
 * @param batchSize samples per network batch
 * @param baseSeed the seed of sample 0
 * @param labels the labels to cycle through, or an empty array for random labels
 * @param numClasses the number of classes random labels are drawn from
 */
public record SampleJob(int count, int batchSize, long baseSeed, int[] labels, int numClasses) {

    /** Validates and copies the labels. */
    public SampleJob {
        labels = labels == null ? new int[0] : labels.clone();
        if (count < 1 || batchSize < 1 || numClasses < 1) {
            throw new IllegalArgumentException("need count, batch size and classes >= 1; got " + count + ", "
                    + batchSize + ", " + numClasses);
        }
        for (int y : labels) {
            if (y < 0 || y >= numClasses) {
                throw new IllegalArgumentException("label " + y + " is outside 0.." + (numClasses - 1));
            }
        }
    }

    /** The seed of sample {@code i}. */
    public long seed(int i) {
        return baseSeed + i;
    }

    /** The label of sample {@code i}. */
    public int label(int i) {
        if (labels.length > 0) {
            return labels[i % labels.length];
        }
        // a stream apart from the noise's (same seed, complemented) so the label does not shift the noise
        return new SplittableRandom(~seed(i)).nextInt(numClasses);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SampleJob j && j.count == count && j.batchSize == batchSize && j.baseSeed == baseSeed
                && Arrays.equals(j.labels, labels) && j.numClasses == numClasses;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(labels) * 31 + Long.hashCode(baseSeed) + count;
    }

    @Override
    public String toString() {
        return "SampleJob[count=" + count + ", batchSize=" + batchSize + ", baseSeed=" + baseSeed + ", labels="
                + (labels.length == 0 ? "random" : Arrays.toString(labels)) + ", numClasses=" + numClasses + "]";
    }
}
