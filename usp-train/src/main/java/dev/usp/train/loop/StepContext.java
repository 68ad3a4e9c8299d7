package dev.usp.train.loop;

import ai.djl.ndarray.NDManager;

import java.util.Random;

/**
 * What one training step gets from the {@link TrainingLoop}: its index, epoch and learning rate,
 * a per-step {@link NDManager} (closed after the step, freeing everything created in it), and
 * seeds that depend only on (run seed, step).
 */
public final class StepContext {

    private final long step;
    private final long epoch;
    private final double lr;
    private final long seed;
    private final NDManager manager;

    StepContext(long step, long epoch, double lr, long seed, NDManager manager) {
        this.step = step;
        this.epoch = epoch;
        this.lr = lr;
        this.seed = seed;
        this.manager = manager;
    }

    /** The 0-based index of this optimiser step (= steps completed before it). */
    public long step() {
        return step;
    }

    /** The epoch this step belongs to (0 when the loop was not told the epoch length). */
    public long epoch() {
        return epoch;
    }

    /** The learning rate the schedule gives for this step. */
    public double lr() {
        return lr;
    }

    /** The run seed. */
    public long runSeed() {
        return seed;
    }

    /** The step's manager: create inputs and temporaries here, attach gradients here. */
    public NDManager manager() {
        return manager;
    }

    /** {@link Seeds#forStep}(run seed, this step, stream). */
    public long seed(long stream) {
        return Seeds.forStep(seed, step, stream);
    }

    /** A {@link Random} for this step and stream, e.g. {@code random(Seeds.DATA)} for the batch. */
    public Random random(long stream) {
        return Seeds.random(seed, step, stream);
    }

    /**
     * A {@link Random} for micro-batch {@code micro} of {@code microSteps} in this step, when
     * gradients are accumulated: the same examples as a run without accumulation would get from
     * {@code Seeds.random(seed, step * microSteps + micro, stream)}.
     */
    public Random microRandom(int micro, int microSteps, long stream) {
        return Seeds.random(seed, step * microSteps + micro, stream);
    }
}
