package dev.usp.train.cls;

import dev.usp.core.config.Range;

import java.nio.file.Path;

/**
 * Where a classifier run writes and how often it logs and evaluates.
 *
 * @param runsDir    parent of the run folders
 * @param name       run folder name (needed for {@code --resume}); null = a timestamp
 * @param logEvery   optimiser steps per metrics line
 * @param evalEvery  optimiser steps between evaluations (each also saves a checkpoint); 0 = once per epoch
 * @param keepLast   newest step checkpoints kept (the best one is kept besides)
 * @param allowSkippedUpdates skip (and count in {@code metrics.jsonl}) an update whose gradient norm is not finite while
 *     its loss is, instead of stopping the run; false (default): such a gradient is a bug to find
 */
public record ClsRunConfig(Path runsDir, String name, @Range(min = 1) int logEvery, @Range(min = 0) int evalEvery,
                           @Range(min = 1) int keepLast, boolean allowSkippedUpdates) {

    /** {@code runs/}, timestamped name, a line every 20 steps, evaluation every epoch, keep 2. */
    public static ClsRunConfig defaults() {
        return new ClsRunConfig(Path.of("runs"), null, 20, 0, 2, false);
    }
}
