package dev.usp.train.cls;

import dev.usp.core.config.OptimConfig;

/**
 * Batch, length and optimiser of a classifier run, as {@link ClsRun} takes them: the YAML's
 * {@code batch_size}, {@code accum_iter}, {@code epochs} and the shared {@code optim:} block.
 *
 * @param epochs     training epochs (fractional allowed for short runs)
 * @param batchSize  images per micro-batch
 * @param accumIter  micro-batches per optimiser step; effective batch = batchSize * accumIter
 * @param optim      lr or blr, warm-up epochs then half-cycle cosine to {@code min_lr} set every step, weight decay
 */
public record ClsOptimConfig(double epochs, int batchSize, int accumIter, OptimConfig optim) {

    /** Images per optimiser step (one device). */
    public int effectiveBatch() {
        return batchSize * accumIter;
    }

    /** {@code optim.lr} when set, else {@code optim.blr * effectiveBatch / 256}. */
    public double actualLr() {
        return optim.actualLr(effectiveBatch());
    }

    /** The warm-up in epochs. */
    public double warmupEpochs() {
        return optim.warmupEpochs();
    }

    /** Where the cosine ends. */
    public double minLr() {
        return optim.minLr();
    }

    /** The weight decay. */
    public double weightDecay() {
        return optim.weightDecay();
    }
}
