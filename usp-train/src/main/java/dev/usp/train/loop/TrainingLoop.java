package dev.usp.train.loop;

import dev.usp.core.engine.Seeds;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Numerics;
import dev.usp.core.weights.StateDict;
import dev.usp.train.distributed.ProcessGroupEnv;
import dev.usp.train.tensorboard.TensorBoardTags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongToDoubleFunction;

/**
 * The step loop every trainer shares: per-step memory scope, per-step reseeding, metrics,
 * progress, checkpoints, resume, and a stop on a non-finite loss.
 *
 * <p>For each step index {@code s} from the start (0, or the step of the checkpoint resumed) to
 * {@code totalSteps - 1}: reseed the engine with {@code Seeds.intForStep(seed, s, ENGINE)}, open a
 * sub-manager of the caller's manager, call the step function (forward, backward, and the
 * optimiser update through {@link StepContext#update}), close the sub-manager; stop with a
 * {@link NonFiniteTrainingException} if the loss, or the gradient norm of a finite loss, is not
 * finite (before anything is saved); log metrics every {@code logEvery} steps; save a checkpoint
 * every {@code checkpointEvery} steps and after the last step. Before the first step it runs the
 * engine's numerics self-check ({@link Numerics#ensure()}).
 *
 * <p>A {@code metrics.jsonl} line holds {@code step} (steps completed), {@code epoch},
 * {@code loss} and the extras as means over the steps since the previous line, and {@code lr} of
 * the last step: numbers a run computes, bit-identical between two runs with one seed on any
 * machine. What the machine's speed decides ({@code samples_per_s} over the same steps,
 * {@code time_s} since the loop started) goes to {@code timing.jsonl}. Every metrics value also
 * goes to a TensorBoard event file in the run folder, under the tags and x-axis of
 * {@link Builder#optTensorBoard}, with the images steps hand over through {@link StepContext#image}.
 *
 * <p><b>Exact resume.</b> If the step function draws its batch and all randomness from
 * {@link StepContext#random}/{@link StepContext#seed} or the engine (reseeded per step), then
 * training N steps, checkpointing, resuming and training N more gives bit-for-bit the parameters
 * of 2N uninterrupted steps.
 *
 * <p><b>Several processes.</b> In a job of several processes ({@link Builder#optProcess}) every
 * rank runs the loop with the same seed and steps (its step function averages gradients over the
 * ranks, e.g. through {@link dev.usp.train.parallel.DataParallel}); rank 0 alone writes metrics,
 * checkpoints, plots and progress and evaluates the checkpoints; the other ranks write nothing and
 * restore from the same checkpoint on resume, whatever the world size that wrote it.
 *
 * <p><b>Gradient accumulation</b> is written inside the step function: zero the gradients, run K
 * micro-batches (each in {@code ctx.manager().newSubManager()}, data from
 * {@link StepContext#microRandom}), backward {@code loss / K} for each, then one optimiser update;
 * return the mean loss and the samples of all K micro-batches.
 */
public final class TrainingLoop {

    /** One optimiser step of a trainer. */
    @FunctionalInterface
    public interface StepFunction {
        /** Runs step {@code ctx.step()} and returns its loss and sample count. */
        StepResult step(StepContext ctx) throws IOException;
    }

    /** Scores the model at a checkpoint, for keeping the best one (e.g. FID, accuracy). */
    @FunctionalInterface
    public interface Evaluator {
        /** The metric after {@code step} optimiser steps, with the values measured beside it. */
        Score evaluate(long step) throws IOException;
    }

    /**
     * What an evaluation gives: the metric that picks the best checkpoint, and further values
     * logged beside it in the same metrics line (e.g. top-5 and the test loss beside top-1).
     */
    public record Score(double value, Map<String, Double> more) {
        /** A metric alone. */
        public static Score of(double value) {
            return new Score(value, Map.of());
        }
    }

    /**
     * A metric evaluated after each checkpoint, logged under {@code name}, the best checkpoint kept
     * ({@link Builder#optBest}); what a trainer takes from its caller (e.g. the memory soak's RSS).
     */
    public record Best(String name, boolean higherIsBetter, Evaluator evaluator) {
    }

    /**
     * What a finished run reports.
     *
     * @param skippedUpdates updates skipped on a non-finite gradient (only with {@code optAllowSkippedUpdates})
     * @param stoppedByBudget true when the time budget ({@code optMaxSeconds}) ended the run before its last step
     */
    public record Result(long startStep, long endStep, double lastLoss, Path lastCheckpoint, long skippedUpdates,
                         boolean stoppedByBudget) {
    }

    /**
     * The system property naming a file to which the loop appends, after every step, the step and
     * a SHA-256 of every array of the training state (model, EMA, optimiser): two runs are
     * bit-identical exactly when their digest files are. A debugging aid (it reads the whole state
     * every step); the torture tests compare runs with it.
     */
    public static final String DIGESTS_PROPERTY = "usp.loop.digests";

    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoop.class);

    private final RunDir run;
    private final long totalSteps;
    private final long seed;
    private final long stepsPerEpoch;
    private final long logEvery;
    private final long checkpointEvery;
    private final int keepLast;
    private final long archiveEvery;
    private final LongToDoubleFunction lr;
    private final boolean resume;
    private final boolean reseedEngine;
    private final boolean plotLogScale;
    private final PrintStream terminal;
    private final double progressLogSeconds;
    private final String bestName;
    private final boolean bestHigherIsBetter;
    private final Evaluator bestEvaluator;
    private final double maxSeconds;
    private final boolean allowSkippedUpdates;
    private final TensorBoardTags tensorBoard;
    private final ProcessGroupEnv process;

    private TrainingLoop(Builder b) {
        run = b.run;
        totalSteps = b.totalSteps;
        seed = b.seed;
        stepsPerEpoch = b.stepsPerEpoch;
        logEvery = b.logEvery;
        checkpointEvery = b.checkpointEvery;
        keepLast = b.keepLast;
        archiveEvery = b.archiveEvery;
        lr = b.lr;
        resume = b.resume;
        reseedEngine = b.reseedEngine;
        plotLogScale = b.plotLogScale;
        terminal = b.terminal;
        progressLogSeconds = b.progressLogSeconds;
        bestName = b.bestName;
        bestHigherIsBetter = b.bestHigherIsBetter;
        bestEvaluator = b.bestEvaluator;
        maxSeconds = b.maxSeconds;
        allowSkippedUpdates = b.allowSkippedUpdates;
        tensorBoard = b.tensorBoard;
        process = b.process;
    }

    /** A builder: {@code setX} for required values, {@code optX} for the rest. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs (or, with {@code optResume(true)}, continues) the training.
     *
     * @param parent the manager the per-step scopes are opened under (usually the model's)
     * @param state what is saved in and restored from checkpoints
     * @param fn one optimiser step
     * @throws NonFiniteTrainingException when a loss, or a gradient norm with a finite loss, is NaN
     *     or infinite; the last checkpoint is intact
     */
    public Result run(NDManager parent, TrainState state, StepFunction fn) throws IOException {
        Numerics.ensure();
        boolean main = process.isMain();
        CheckpointStore store = main ? new CheckpointStore(run.checkpoints(), keepLast, archiveEvery) : null;
        long start = resume ? restore(parent, state, store) : 0;
        Path lastCheckpoint = main ? store.latest().orElse(null) : null;
        Progress progress = main ? new Progress(terminal, start, totalSteps, progressLogSeconds)
                : Progress.silent(start, totalSteps);
        StepDigests digests = StepDigests.fromSystemProperty(DIGESTS_PROPERTY);
        Window window = new Window(allowSkippedUpdates);
        double lastLoss = Double.NaN;
        long end = totalSteps;
        long skipped = 0;
        boolean stoppedByBudget = false;
        long startNanos = System.nanoTime();
        try (MetricsLog metrics = main ? MetricsLog.open(run.metrics(), start, tensorBoard) : MetricsLog.discard();
             MetricsLog timing = main ? MetricsLog.open(run.timing(), start) : MetricsLog.discard()) {
            for (long step = start; step < end; step++) {
                if (reseedEngine) {
                    Engine.getInstance().setRandomSeed(Seeds.intForStep(seed, step, Seeds.ENGINE));
                }
                double stepLr = lr.applyAsDouble(step);
                StepResult r;
                StepContext ctx;
                try (NDManager scope = parent.newSubManager()) {
                    ctx = new StepContext(step, epochOf(step), stepLr, seed, scope, allowSkippedUpdates);
                    r = fn.step(ctx);
                } catch (StepContext.NonFiniteGradient e) {
                    stop(metrics, progress);
                    throw new NonFiniteTrainingException(step, epochOf(step), "gradient norm", e.gradNorm(),
                            " with a finite loss " + e.loss() + ": a numerical bug on this machine, not noise"
                                    + " (allow_skipped_updates: true skips and counts such updates instead)",
                            lastCheckpoint);
                }
                if (!Double.isFinite(r.loss())) {
                    stop(metrics, progress);
                    throw new NonFiniteTrainingException(step, epochOf(step), "loss", r.loss(), "", lastCheckpoint);
                }
                lastLoss = r.loss();
                skipped += ctx.skipped() ? 1 : 0;
                long done = step + 1;
                digests.append(done, state);
                if (maxSeconds > 0 && done < end && (System.nanoTime() - startNanos) / 1e9 >= maxSeconds) {
                    LOG.warn("time budget of {} s spent after step {} of {}: stopping early (the run is cut; its "
                            + "numbers depend on this machine's speed)", maxSeconds, done, totalSteps);
                    end = done;
                    stoppedByBudget = true;
                }
                window.add(r, ctx.skipped());
                if (done % logEvery == 0 || done == end) {
                    metrics.log(done, epochOf(step), window.means(stepLr));
                    timing.log(done, epochOf(step), window.timing());
                    window.reset();
                }
                for (Map.Entry<String, Path> image : ctx.images().entrySet()) {
                    metrics.image(image.getKey(), done, image.getValue());
                }
                progress.update(done, r.loss(), stepLr, window.lastSamplesPerSecond, done == end);
                if (main && ((checkpointEvery > 0 && done % checkpointEvery == 0) || done == end)) {
                    metrics.sync();
                    lastCheckpoint = save(store, state, done, metrics);
                }
            }
        } finally {
            progress.finish();
        }
        if (main) {
            writeLossPlot();
        }
        if (skipped > 0) {
            LOG.warn("{} of {} updates skipped on a non-finite gradient (allow_skipped_updates); see skipped_updates "
                    + "in {}", skipped, end - start, run.metrics());
        }
        return new Result(start, Math.max(start, end), lastLoss, lastCheckpoint, skipped, stoppedByBudget);
    }

    /** Makes what was logged durable and the progress line final before a stop on a non-finite value. */
    private void stop(MetricsLog metrics, Progress progress) throws IOException {
        metrics.sync();
        progress.finish();
        if (process.isMain()) {
            writeLossPlot();
        }
    }

    /** Restores the newest checkpoint (rank 0 through its store, the other ranks read the folder). */
    private long restore(NDManager parent, TrainState state, CheckpointStore store) throws IOException {
        Path file = store != null ? store.latest().orElse(null) : CheckpointStore.findLatest(run.checkpoints()).orElse(null);
        if (file == null) {
            LOG.info("resume: no complete checkpoint in {}, starting at step 0", run.checkpoints());
            return 0;
        }
        try (Checkpoint cp = Checkpoint.load(file, parent)) {
            if (cp.seed() != seed) {
                throw new IllegalStateException("cannot resume from " + file + ": its seed is " + cp.seed()
                        + " but this run's seed is " + seed);
            }
            if (!cp.config().equals(run.config())) {
                LOG.warn("resume: the config of {} differs from {}; continuing with the new config",
                        file, run.dir().resolve(RunDir.CONFIG));
            }
            state.restore(cp);
            LOG.info("resumed from {} at step {} of {}", file, cp.step(), totalSteps);
            return cp.step();
        }
    }

    private Path save(CheckpointStore store, TrainState state, long done, MetricsLog metrics) throws IOException {
        Map<String, StateDict> parts = state.stateDicts();
        Path file;
        try {
            file = store.save(new Checkpoint(done, epochOf(done), seed, run.config(), parts, state.scalars()));
        } finally {
            parts.values().forEach(StateDict::close);   // frees copies (optimiser state); views release nothing
        }
        LOG.info("saved checkpoint {}", file);
        if (bestEvaluator != null) {
            Score score = bestEvaluator.evaluate(done);
            double metric = score.value();
            if (!Double.isFinite(metric)) {
                throw new NonFiniteTrainingException(done - 1, epochOf(done), bestName, metric,
                        " when evaluating the checkpoint just saved (its model gives non-finite samples or features)",
                        file);
            }
            Map<String, Double> line = new LinkedHashMap<>();
            line.put(bestName, metric);
            line.putAll(score.more());
            metrics.log(done, epochOf(done), line);
            if (store.offerBest(done, metric, bestHigherIsBetter)) {
                LOG.info("step {}: new best {} = {}", done, bestName, metric);
            }
        }
        return file;
    }

    private void writeLossPlot() {
        try {
            LossCurves.write(run.metrics(), run.file(RunDir.LOSS_PLOT), plotLogScale);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not draw the loss plot {}: {}", run.file(RunDir.LOSS_PLOT), e.toString());
        }
    }

    private long epochOf(long step) {
        return stepsPerEpoch > 0 ? step / stepsPerEpoch : 0;
    }

    /**
     * Sums over the steps since the last metrics line. {@link #means} holds what a run computes
     * (the same on every machine); {@link #timing} what the machine's speed decides.
     */
    private static final class Window {
        private final boolean countSkipped;
        private final long startNanos0 = System.nanoTime();
        private long startNanos = startNanos0;
        private int steps;
        private long samples;
        private long skipped;
        private double lossSum;
        private final Map<String, Double> extraSums = new LinkedHashMap<>();
        private double lastSamplesPerSecond;

        Window(boolean countSkipped) {
            this.countSkipped = countSkipped;
        }

        void add(StepResult r, boolean skippedUpdate) {
            steps++;
            samples += r.samples();
            skipped += skippedUpdate ? 1 : 0;
            lossSum += r.loss();
            r.extras().forEach((k, v) -> extraSums.merge(k, v, Double::sum));
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            lastSamplesPerSecond = seconds > 0 ? samples / seconds : 0;
        }

        /** Loss and extras as means over the window, the last learning rate, and skipped updates as a count. */
        Map<String, Double> means(double lr) {
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("loss", lossSum / steps);
            out.put("lr", lr);
            extraSums.forEach((k, v) -> out.put(k, v / steps));
            if (countSkipped) {
                out.put("skipped_updates", (double) skipped);
            }
            return out;
        }

        /** Throughput over the window and seconds since the loop started. */
        Map<String, Double> timing() {
            Map<String, Double> out = new LinkedHashMap<>();
            out.put("samples_per_s", lastSamplesPerSecond);
            out.put("time_s", (System.nanoTime() - startNanos0) / 1e9);
            return out;
        }

        void reset() {
            startNanos = System.nanoTime();
            steps = 0;
            samples = 0;
            skipped = 0;
            lossSum = 0;
            extraSums.clear();
        }
    }

    /** Builds a {@link TrainingLoop}; {@link #setRun}, {@link #setTotalSteps} and {@link #setSeed} are required. */
    public static final class Builder {
        private RunDir run;
        private long totalSteps = -1;
        private Long seedValue;
        private long seed;
        private long stepsPerEpoch;
        private long logEvery = 10;
        private long checkpointEvery;
        private int keepLast = 2;
        private long archiveEvery;
        private LongToDoubleFunction lr = s -> Double.NaN;
        private boolean resume;
        private boolean reseedEngine = true;
        private boolean plotLogScale = true;
        private PrintStream terminal = System.console() != null ? System.err : null;
        private double progressLogSeconds = 30;
        private String bestName;
        private boolean bestHigherIsBetter;
        private Evaluator bestEvaluator;
        private double maxSeconds;
        private boolean allowSkippedUpdates;
        private TensorBoardTags tensorBoard = TensorBoardTags.steps();
        private ProcessGroupEnv process = ProcessGroupEnv.single();

        private Builder() {
        }

        /**
         * This process's place in a multi-process job (default: the only process). Ranks other
         * than 0 write nothing (no metrics, checkpoints, plots or progress) and evaluate nothing;
         * their run folder is rank 0's, read on resume.
         */
        public Builder optProcess(ProcessGroupEnv value) {
            process = value;
            return this;
        }

        /** The run folder (config, metrics, checkpoints, plots). */
        public Builder setRun(RunDir value) {
            run = value;
            return this;
        }

        /** Number of optimiser steps of the whole run (a resumed run stops here too). */
        public Builder setTotalSteps(long value) {
            totalSteps = value;
            return this;
        }

        /** The run seed all per-step randomness derives from. */
        public Builder setSeed(long value) {
            seedValue = value;
            return this;
        }

        /** Optimiser steps per epoch, for the epoch numbers in metrics and checkpoints. */
        public Builder optStepsPerEpoch(long value) {
            stepsPerEpoch = value;
            return this;
        }

        /** Write a metrics line every this many steps (averaged over them); default 10. */
        public Builder optLogEvery(long value) {
            logEvery = value;
            return this;
        }

        /** Save a checkpoint every this many steps; 0 (default) saves only after the last step. */
        public Builder optCheckpointEvery(long value) {
            checkpointEvery = value;
            return this;
        }

        /** How many of the newest checkpoints to keep; default 2. */
        public Builder optKeepLast(int value) {
            keepLast = value;
            return this;
        }

        /** Also keep every checkpoint whose step is a multiple of this; default 0 (none). */
        public Builder optArchiveEvery(long value) {
            archiveEvery = value;
            return this;
        }

        /** The learning rate of each step index (given to the step and logged). */
        public Builder optLearningRate(LongToDoubleFunction schedule) {
            lr = schedule;
            return this;
        }

        /** Continue from the newest complete checkpoint of the run folder, if there is one. */
        public Builder optResume(boolean value) {
            resume = value;
            return this;
        }

        /** Reseed the engine before each step from (seed, step); default true. */
        public Builder optReseedEngine(boolean value) {
            reseedEngine = value;
            return this;
        }

        /** Log-scale y axis on the loss plot; default true. */
        public Builder optPlotLogScale(boolean value) {
            plotLogScale = value;
            return this;
        }

        /**
         * Where the in-place progress bar goes, or null for periodic log lines; default stderr
         * when the JVM has a console, else null.
         */
        public Builder optProgressTerminal(PrintStream value) {
            terminal = value;
            return this;
        }

        /** Seconds between progress log lines when there is no terminal; default 30. */
        public Builder optProgressLogSeconds(double value) {
            progressLogSeconds = value;
            return this;
        }

        /**
         * Evaluate {@code evaluator} at each checkpoint, log it as {@code name}, and keep the best
         * checkpoint (the {@code best} pointer).
         */
        public Builder optBest(String name, boolean higherIsBetter, Evaluator evaluator) {
            bestName = name;
            bestHigherIsBetter = higherIsBetter;
            bestEvaluator = evaluator;
            return this;
        }

        /** {@link #optBest(String, boolean, Evaluator)} of {@code best}; null sets none. */
        public Builder optBest(Best best) {
            return best == null ? this : optBest(best.name(), best.higherIsBetter(), best.evaluator());
        }

        /**
         * A time budget: when a step ends this many seconds after the loop started, save a
         * checkpoint and stop there (a later {@code --resume} continues); 0 (default) for none.
         * Where a run stops then depends on the machine's speed: {@link Result#stoppedByBudget()}
         * says so, and callers must report it.
         */
        public Builder optMaxSeconds(double value) {
            maxSeconds = value;
            return this;
        }

        /**
         * Skip, instead of stopping on, an update whose gradient norm is not finite while its loss
         * is (default false: such a gradient is a bug to find). Skipped updates are counted in
         * {@code metrics.jsonl} ({@code skipped_updates}) and in {@link Result#skippedUpdates()}.
         */
        public Builder optAllowSkippedUpdates(boolean value) {
            allowSkippedUpdates = value;
            return this;
        }

        /**
         * The TensorBoard tags and x-axis of the metrics; default {@link TensorBoardTags#steps()}
         * (each key under its name against the step). Trainers that follow an official script's
         * TensorBoard logging name its tags and axis here.
         */
        public Builder optTensorBoard(TensorBoardTags value) {
            tensorBoard = value;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the first missing or invalid setting
         */
        public TrainingLoop build() {
            if (run == null) {
                throw new IllegalArgumentException("TrainingLoop: setRun(...) is required");
            }
            if (totalSteps < 0) {
                throw new IllegalArgumentException("TrainingLoop: setTotalSteps(n >= 0) is required, got " + totalSteps);
            }
            if (seedValue == null) {
                throw new IllegalArgumentException("TrainingLoop: setSeed(...) is required");
            }
            if (logEvery < 1 || checkpointEvery < 0 || stepsPerEpoch < 0) {
                throw new IllegalArgumentException("TrainingLoop: logEvery must be >= 1 (got " + logEvery
                        + "), checkpointEvery >= 0 (got " + checkpointEvery + "), stepsPerEpoch >= 0 (got "
                        + stepsPerEpoch + ")");
            }
            seed = seedValue;
            return new TrainingLoop(this);
        }
    }
}
