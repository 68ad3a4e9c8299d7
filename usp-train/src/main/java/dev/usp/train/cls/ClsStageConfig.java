package dev.usp.train.cls;

import dev.usp.core.config.DataConfig;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.config.RunConfig;

/**
 * The keys fine-tuning and linear probing share, and the pieces the classifier trainers take
 * from them ({@link FinetuneConfig} and {@link LinprobeConfig} implement it with their record components).
 */
public interface ClsStageConfig {

    /** The train and validation caches. */
    DataConfig data();

    /** Classes 0..numClasses-1. */
    int numClasses();

    /** Which latent of a cached image is fed. */
    LatentInput latent();

    /** Images per evaluation batch. */
    int evalBatchSize();

    /** Training length in epochs. */
    double epochs();

    /** Images per optimiser step. */
    int batchSize();

    /** Micro-batches per optimiser step. */
    int accumIter();

    /** Optimiser and learning-rate schedule. */
    OptimConfig optim();

    /** Optimiser steps between evaluations; 0 = once per epoch. */
    int evalEvery();

    /** Run folder and logging. */
    RunConfig run();

    /** The caches and classes, as the trainer and checkpoints take them. */
    default ClsDataConfig classifierData() {
        return new ClsDataConfig(data().train(), data().val(), numClasses(), latent(), evalBatchSize());
    }

    /** Batch, length and optimiser, as the trainer takes them. */
    default ClsOptimConfig schedule() {
        return new ClsOptimConfig(epochs(), batchSize(), accumIter(), optim());
    }

    /** Run folder and evaluation interval, as the trainer takes them. */
    default ClsRunConfig runSettings() {
        return new ClsRunConfig(run(), evalEvery());
    }
}
