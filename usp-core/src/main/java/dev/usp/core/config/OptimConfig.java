package dev.usp.core.config;

import java.util.List;

/**
 * The {@code optim:} block of every training stage: the optimiser and its learning-rate schedule.
 * The one place that turns a base learning rate into the actual one ({@link #actualLr}).
 *
 * @param name         {@code adamw} (decoupled weight decay; with 0 decay it is Adam) or {@code lars}
 *                     (the linear probe's); each stage accepts the ones its trainer implements
 * @param lr           absolute peak learning rate; 0 derives it from {@code blr}
 * @param blr          base learning rate of the linear scaling rule: lr = blr x global batch / 256
 * @param minLr        where the cosine ends
 * @param weightDecay  weight decay (AdamW: decoupled; LARS: added to the gradient of matrices)
 * @param beta1        Adam beta1
 * @param beta2        Adam beta2
 * @param warmupEpochs linear warm-up from 0, in (fractional) epochs, for stages that count epochs
 * @param warmupSteps  linear warm-up from 0, in optimiser steps, for stages that count steps
 * @param schedule     after the warm-up: {@code constant} or {@code cosine} (half cycle down to {@code min_lr} at the
 *                     end of training); each stage accepts the ones its trainer implements
 */
public record OptimConfig(@OneOf({"adamw", "lars"}) String name, @Range(min = 0) double lr, @Range(min = 0) double blr,
                          @Range(min = 0) double minLr, @Range(min = 0) double weightDecay,
                          @Range(min = 0, max = 1) double beta1, @Range(min = 0, max = 1) double beta2,
                          @Range(min = 0) double warmupEpochs, @Range(min = 0) int warmupSteps,
                          @OneOf({"constant", "cosine"}) String schedule) {

    /** AdamW, lr 1e-4, PyTorch's betas (0.9, 0.999), no decay, no warm-up, a constant rate. */
    public static OptimConfig defaults() {
        return new OptimConfig("adamw", 1e-4, 0, 0, 0, 0.9, 0.999, 0, 0, "constant");
    }

    /**
     * The peak learning rate: {@code lr} when set, else {@code blr * globalBatch / 256} (MAE's
     * linear scaling rule; the global batch is images per optimiser step over all devices).
     */
    public double actualLr(int globalBatch) {
        return lr > 0 ? lr : blr * globalBatch / 256.0;
    }

    /** True for the half-cycle cosine after the warm-up. */
    public boolean cosine() {
        return "cosine".equals(schedule);
    }

    /**
     * Refuses what a stage's trainer does not implement: another optimiser, another schedule, or a
     * warm-up in the unit the stage does not count in.
     *
     * @param stage         the stage's command name, for the message
     * @param names         the optimisers it implements
     * @param schedules     the schedules it implements
     * @param epochWarmup   whether it reads {@code warmup_epochs}
     * @param stepWarmup    whether it reads {@code warmup_steps}
     */
    public void require(String stage, List<String> names, List<String> schedules,
                        boolean epochWarmup, boolean stepWarmup) {
        if (!names.contains(name)) {
            throw new IllegalArgumentException(stage + " trains with optim.name " + String.join(" or ", names)
                    + ", not " + name);
        }
        if (!schedules.contains(schedule)) {
            throw new IllegalArgumentException(stage + " implements optim.schedule " + String.join(" or ", schedules)
                    + ", not " + schedule);
        }
        if (!epochWarmup && warmupEpochs != 0) {
            throw new IllegalArgumentException(stage + " counts steps: set optim.warmup_steps, not optim.warmup_epochs");
        }
        if (!stepWarmup && warmupSteps != 0) {
            throw new IllegalArgumentException(stage + (epochWarmup ? " counts epochs: set optim.warmup_epochs, not"
                    : " has no warm-up: unset") + " optim.warmup_steps");
        }
    }
}
