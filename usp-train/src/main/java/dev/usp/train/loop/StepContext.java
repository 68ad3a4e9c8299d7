package dev.usp.train.loop;

import dev.usp.core.engine.Seeds;
import ai.djl.ndarray.NDManager;
import dev.usp.train.optim.Optimizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * What one training step gets from the {@link TrainingLoop}: its index, epoch and learning rate,
 * a per-step {@link NDManager} (closed after the step, freeing everything created in it), and
 * seeds that depend only on (run seed, step), and the one way a step applies its optimiser update
 * ({@link #update}), which refuses non-finite gradients.
 */
public final class StepContext {

    private static final Logger LOG = LoggerFactory.getLogger(StepContext.class);

    private final long step;
    private final long epoch;
    private final double lr;
    private final long seed;
    private final NDManager manager;
    private final boolean allowSkippedUpdates;
    private boolean skipped;
    private final Map<String, Path> images = new LinkedHashMap<>();

    StepContext(long step, long epoch, double lr, long seed, NDManager manager, boolean allowSkippedUpdates) {
        this.step = step;
        this.epoch = epoch;
        this.lr = lr;
        this.seed = seed;
        this.manager = manager;
        this.allowSkippedUpdates = allowSkippedUpdates;
    }

    /**
     * Applies {@code opt}'s update with this step's learning rate, unless a number is not finite.
     * A non-finite loss: no update (the loop then stops with {@link NonFiniteTrainingException}).
     * A finite loss with a non-finite gradient norm is a numerical bug, never noise (a freed
     * buffer read by the backward, a wrong kernel): the loop stops the same way, keeping the last
     * checkpoint, unless the run allows skipped updates ({@code allow_skipped_updates: true});
     * then this update is skipped and counted.
     *
     * @param loss the step's loss
     * @param gradNorm the total gradient norm (e.g. what clipping returned)
     * @return true when the update was applied
     */
    public boolean update(Optimizer opt, double loss, double gradNorm) {
        if (!Double.isFinite(loss)) {
            return false;
        }
        if (!Double.isFinite(gradNorm)) {
            if (!allowSkippedUpdates) {
                throw new NonFiniteGradient(loss, gradNorm);
            }
            LOG.warn("step {}: gradient norm {} with a finite loss {}; update skipped (allow_skipped_updates)",
                    step, gradNorm, loss);
            skipped = true;
            return false;
        }
        opt.step(lr);
        return true;
    }

    /** {@link #update(Optimizer, double, double)} with the norm of {@code opt}'s gradients. */
    public boolean update(Optimizer opt, double loss) {
        return update(opt, loss, opt.gradNorm());
    }

    /** Whether {@link #update} skipped this step's update. */
    boolean skipped() {
        return skipped;
    }

    /**
     * Hands a PNG this step wrote (a preview grid) to the loop, which adds it to the run's
     * TensorBoard events under {@code key} after the step, at the step's metrics x value.
     */
    public void image(String key, Path png) {
        images.put(key, png);
    }

    /** The images handed over by {@link #image}, by key. */
    Map<String, Path> images() {
        return images;
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

    /** Signals a non-finite gradient norm with a finite loss to the loop, which reports it with the step. */
    static final class NonFiniteGradient extends RuntimeException {

        private static final long serialVersionUID = 1L;

        private final double loss;
        private final double gradNorm;

        NonFiniteGradient(double loss, double gradNorm) {
            super("gradient norm " + gradNorm + " with loss " + loss, null, false, false);
            this.loss = loss;
            this.gradNorm = gradNorm;
        }

        double loss() {
            return loss;
        }

        double gradNorm() {
            return gradNorm;
        }
    }
}
