package dev.usp.train.tensorboard;

import java.util.HashMap;
import java.util.Map;

/**
 * How the values of {@code metrics.jsonl} become TensorBoard scalars: each key's tag and the x
 * value of a line logged after {@code step} optimiser steps. A key not renamed keeps its name as
 * tag and takes the run's training axis; images take the training axis too.
 */
public final class TensorBoardTags {

    /** The x value of a line logged after {@code step} optimiser steps. */
    @FunctionalInterface
    public interface Axis {
        /** The x value; {@code step} counts the steps completed. */
        long x(long step);
    }

    private final Axis train;
    private final Map<String, String> tags;
    private final Map<String, Axis> axes;

    private TensorBoardTags(Axis train, Map<String, String> tags, Map<String, Axis> axes) {
        this.train = train;
        this.tags = Map.copyOf(tags);
        this.axes = Map.copyOf(axes);
    }

    /** Every key under its own name against the optimiser step (DiT's and SiT's {@code train_steps}). */
    public static TensorBoardTags steps() {
        return new TensorBoardTags(step -> step, Map.of(), Map.of());
    }

    /**
     * MAE's training axis, {@code epoch_1000x = int((data_iter_step / len(data_loader) + epoch) * 1000)}
     * of the last micro-batch of the last step logged: with {@code k = step - 1},
     * {@code epoch = k / stepsPerEpoch}, {@code data_iter_step = (k % stepsPerEpoch + 1) accumIter - 1}
     * and {@code len(data_loader) = stepsPerEpoch accumIter}, computed in doubles as Python does.
     */
    public static TensorBoardTags epoch1000x(long stepsPerEpoch, int accumIter) {
        if (stepsPerEpoch < 1 || accumIter < 1) {
            throw new IllegalArgumentException("epoch_1000x needs stepsPerEpoch >= 1 and accumIter >= 1, got "
                    + stepsPerEpoch + " and " + accumIter);
        }
        return new TensorBoardTags(step -> {
            long k = Math.max(0, step - 1);
            long epoch = k / stepsPerEpoch;
            long dataIterStep = (k % stepsPerEpoch + 1) * accumIter - 1;
            return (long) (((double) dataIterStep / (stepsPerEpoch * accumIter) + epoch) * 1000);
        }, Map.of(), Map.of());
    }

    /** Logs {@code key} under {@code tag} on the training axis (e.g. {@code loss} as MAE's {@code train_loss}). */
    public TensorBoardTags rename(String key, String tag) {
        Map<String, String> t = new HashMap<>(tags);
        t.put(key, tag);
        return new TensorBoardTags(train, t, axes);
    }

    /**
     * Logs {@code key} under {@code tag} against the epoch the last step belongs to, as MAE's
     * fine-tuning logs {@code perf/test_acc1} after each epoch: {@code (step - 1) / stepsPerEpoch}.
     */
    public TensorBoardTags perEpoch(String key, String tag, long stepsPerEpoch) {
        if (stepsPerEpoch < 1) {
            throw new IllegalArgumentException("perEpoch needs stepsPerEpoch >= 1, got " + stepsPerEpoch);
        }
        Map<String, String> t = new HashMap<>(tags);
        t.put(key, tag);
        Map<String, Axis> a = new HashMap<>(axes);
        a.put(key, step -> Math.max(0, step - 1) / stepsPerEpoch);
        return new TensorBoardTags(train, t, a);
    }

    /** The tag of {@code key}. */
    public String tag(String key) {
        return tags.getOrDefault(key, key);
    }

    /** The x value of {@code key} in a line logged after {@code step} steps. */
    public long x(String key, long step) {
        return axes.getOrDefault(key, train).x(step);
    }

    /**
     * The step of the session-start event written when a run resumes from {@code resumeStep}: the
     * training-axis x of the first line it can log, so that TensorBoard drops what the run logged
     * after its checkpoint before it died. (Evaluations run only at checkpoints, so none lies past
     * the one resumed.)
     */
    public long resumeFrom(long resumeStep) {
        return train.x(resumeStep + 1);
    }
}
