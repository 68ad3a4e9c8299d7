package dev.usp.train.loop;

import java.nio.file.Path;

/**
 * Thrown by the {@link TrainingLoop} when a step's loss, or its gradient norm while the loss was
 * finite, is NaN or infinite (nothing was saved after that step, so the last checkpoint is the
 * last good state), or when the evaluation metric of a checkpoint is.
 */
public final class NonFiniteTrainingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long step;
    private final String quantity;
    private final double value;
    private final transient Path lastCheckpoint;

    NonFiniteTrainingException(long step, long epoch, String quantity, double value, String why,
                               Path lastCheckpoint) {
        super(quantity + " is " + value + " at step index " + step + " (optimiser step " + (step + 1) + ", epoch "
                + epoch + ")" + why + "; stopped without saving. Last good checkpoint: "
                + (lastCheckpoint == null ? "none" : lastCheckpoint.toString()));
        this.step = step;
        this.quantity = quantity;
        this.value = value;
        this.lastCheckpoint = lastCheckpoint;
    }

    /** The 0-based index of the step that failed. */
    public long step() {
        return step;
    }

    /** What was not finite: {@code "loss"}, {@code "gradient norm"} or the evaluation metric's name. */
    public String quantity() {
        return quantity;
    }

    /** The value (NaN or an infinity). */
    public double value() {
        return value;
    }

    /** The newest checkpoint on disk when training stopped, or null. */
    public Path lastCheckpoint() {
        return lastCheckpoint;
    }
}
