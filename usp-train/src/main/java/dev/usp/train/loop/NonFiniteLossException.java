package dev.usp.train.loop;

import java.nio.file.Path;

/** Thrown by the {@link TrainingLoop} when a step's loss is NaN or infinite; nothing was saved after it. */
public final class NonFiniteLossException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long step;
    private final double loss;
    private final transient Path lastCheckpoint;

    NonFiniteLossException(long step, long epoch, double loss, Path lastCheckpoint) {
        super("loss is " + loss + " at step index " + step + " (optimiser step " + (step + 1) + ", epoch " + epoch
                + "); stopped without saving. Last good checkpoint: "
                + (lastCheckpoint == null ? "none" : lastCheckpoint.toString()));
        this.step = step;
        this.loss = loss;
        this.lastCheckpoint = lastCheckpoint;
    }

    /** The 0-based index of the step whose loss was not finite. */
    public long step() {
        return step;
    }

    /** The loss value (NaN or an infinity). */
    public double loss() {
        return loss;
    }

    /** The newest checkpoint on disk when training stopped, or null. */
    public Path lastCheckpoint() {
        return lastCheckpoint;
    }
}
