package dev.usp.train.cls;

import dev.usp.core.config.RunConfig;

import java.nio.file.Path;

/**
 * Where a classifier run writes and how often it logs and evaluates, as {@link ClsRun} takes it:
 * the shared {@code run:} block (its {@code checkpoint_every} unused: a classifier checkpoints at
 * each evaluation) and the config's {@code eval_every}.
 *
 * @param run        run folder, log interval, checkpoints kept, skipped updates
 * @param evalEvery  optimiser steps between evaluations (each also saves a checkpoint); 0 = once per epoch
 */
public record ClsRunConfig(RunConfig run, int evalEvery) {

    /** Parent of the run folders. */
    public Path runsDir() {
        return run.dir();
    }

    /** Run folder name, or null for a time stamp. */
    public String name() {
        return run.nameOrNull();
    }

    /** Optimiser steps per metrics line. */
    public long logEvery() {
        return run.logEvery();
    }

    /** Newest step checkpoints kept (the best one is kept besides). */
    public int keepLast() {
        return run.keepLast();
    }

    /** Whether an update with a non-finite gradient norm is skipped and counted rather than an error. */
    public boolean allowSkippedUpdates() {
        return run.allowSkippedUpdates();
    }
}
