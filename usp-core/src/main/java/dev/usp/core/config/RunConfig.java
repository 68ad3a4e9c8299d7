package dev.usp.core.config;

import java.nio.file.Path;

/**
 * The {@code run:} block of every training stage: where its run folder goes and how the run keeps
 * its books.
 *
 * @param dir             parent folder of run folders
 * @param name            run folder name under {@code dir}; null or "" for a time stamp ({@code --resume}
 *                        needs a fixed name)
 * @param logEvery        optimiser steps per metrics line
 * @param checkpointEvery optimiser steps between checkpoints; 0 for only the last (classifiers
 *                        checkpoint at their evaluations instead and refuse a value here)
 * @param keepLast        newest step checkpoints kept
 * @param allowSkippedUpdates skip (and count in {@code metrics.jsonl}) an update whose gradient norm is not finite
 *     while its loss is, instead of stopping the run; false (default): such a gradient is a bug to find
 */
public record RunConfig(Path dir, String name, @Range(min = 1) long logEvery, @Range(min = 0) long checkpointEvery,
                        @Range(min = 1) int keepLast, boolean allowSkippedUpdates) {

    /** {@code runs/}, a time-stamped name, a line every 20 steps, a checkpoint at the end, keep 2. */
    public static RunConfig defaults() {
        return new RunConfig(Path.of("runs"), null, 20, 0, 2, false);
    }

    /** This block with another folder name. */
    public RunConfig withName(String value) {
        return new RunConfig(dir, value, logEvery, checkpointEvery, keepLast, allowSkippedUpdates);
    }

    /** The run folder's name, or null for a time stamp (null and "" both ask for one). */
    public String nameOrNull() {
        return name == null || name.isEmpty() ? null : name;
    }
}
