package dev.usp.train.cls;

import dev.usp.core.config.Range;

/**
 * Batch, schedule and optimiser values shared by fine-tuning and linear probing (MAE's flags).
 *
 * @param epochs        training epochs (fractional allowed for short runs)
 * @param warmupEpochs  linear warm-up from 0, then half-cycle cosine to {@code minLr}, set every step
 * @param batchSize     images per micro-batch
 * @param accumIter     micro-batches per optimiser step; effective batch = batchSize * accumIter
 * @param lr            absolute learning rate; 0 means {@code blr * effective batch / 256}
 * @param blr           base learning rate of the linear scaling rule
 * @param minLr         learning rate the cosine ends at
 * @param weightDecay   weight decay (AdamW decoupled; LARS adds it to the gradient of matrices)
 */
public record ClsOptimConfig(@Range(min = 0) double epochs, @Range(min = 0) double warmupEpochs,
                             @Range(min = 1) int batchSize, @Range(min = 1) int accumIter, @Range(min = 0) double lr,
                             @Range(min = 0) double blr, @Range(min = 0) double minLr,
                             @Range(min = 0) double weightDecay) {

    /** MAE fine-tune values for ViT-B: 100 epochs, warm-up 5, blr 5e-4, min lr 1e-6, wd 0.05, batch 64. */
    public static ClsOptimConfig defaults() {
        return new ClsOptimConfig(100, 5, 64, 1, 0, 5e-4, 1e-6, 0.05);
    }

    /** Images per optimiser step (one device). */
    public int effectiveBatch() {
        return batchSize * accumIter;
    }

    /** {@link #lr} when set, else {@code blr * effectiveBatch / 256}. */
    public double actualLr() {
        return lr > 0 ? lr : blr * effectiveBatch() / 256.0;
    }
}
