package dev.usp.train.cls;

import dev.usp.eval.metrics.Accuracy;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.usp.models.vit.VisionTransformer;
import dev.usp.train.loop.RunDir;
import dev.usp.train.loop.TrainState;
import dev.usp.train.loop.TrainingLoop;
import dev.usp.train.optim.LrSchedule;
import dev.usp.train.distributed.Collectives;
import dev.usp.train.parallel.DataParallel;
import dev.usp.train.tensorboard.TensorBoardTags;
import dev.usp.vae.cache.LatentCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * The frame that fine-tuning and linear probing share: the train and test caches, the batches,
 * the step counts and lr, the classifier replicas (one per device, data parallel, the master
 * holding the pre-trained weights), and the training loop with its per-epoch evaluation.
 */
final class ClsRun implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ClsRun.class);

    private final NDManager cacheManager;
    private final ClsOptimConfig optim;
    final LatentCache train;
    final LatentCache test;
    final ClsBatches batches;
    final long stepsPerEpoch;
    final long totalSteps;
    final double lr;
    final DataParallel<VisionTransformer> dp;

    private ClsRun(NDManager cacheManager, ClsOptimConfig optim, LatentCache train, LatentCache test,
                   ClsBatches batches, DataParallel<VisionTransformer> dp) {
        this.cacheManager = cacheManager;
        this.optim = optim;
        this.train = train;
        this.test = test;
        this.batches = batches;
        this.stepsPerEpoch = ClsSetup.stepsPerEpoch(batches.batchesPerEpoch(), optim.accumIter());
        this.totalSteps = Math.round(optim.epochs() * stepsPerEpoch);
        this.lr = optim.actualLr();
        this.dp = dp;
    }

    /**
     * Opens the caches (on the first device), builds the replicas and loads {@code finetune} (an
     * MAE checkpoint, or null for a random init) into the master.
     *
     * @param task "fine-tune" or "linear probe", for the log
     * @throws IllegalArgumentException when the batch size is not a multiple of the device count
     */
    static ClsRun open(String task, ClsDataConfig data, ClsModelConfig model, ClsOptimConfig optim, Path finetune,
                       boolean probeHead, long seed, List<Device> devices, Collectives group) throws IOException {
        int shards = devices.size() * group.env().worldSize();
        if (optim.batchSize() % shards != 0) {
            throw new IllegalArgumentException("batch_size " + optim.batchSize() + " must be divisible by the "
                    + shards + " replicas (devices " + devices + " x " + group.env().worldSize() + " process(es))");
        }
        NDManager cacheManager = NDManager.newBaseManager(devices.get(0));
        DataParallel<VisionTransformer> dp = null;
        try {
            LatentCache train = LatentCache.open(data.trainCache(), cacheManager);
            LatentCache test = LatentCache.open(data.testCache(), cacheManager);
            ClsBatches batches = new ClsBatches(train, optim.batchSize(), seed, data.latent());
            dp = new DataParallel<>(m -> ClsSetup.buildModel(model, data, train, test, probeHead, seed, m), devices, group);
            ClsRun run = new ClsRun(cacheManager, optim, train, test, batches, dp);
            LOG.info("{}: {} train / {} test images, {} classes, latent input {}, {} device(s) {}", task,
                    train.size(), test.size(), data.numClasses(), data.latent(), devices.size(), devices);
            LOG.info("base lr {}, actual lr {}, effective batch {} ({} x accum {}), {} steps/epoch, {} steps, "
                    + "warm-up {} epochs, weight decay {}", String.format("%.2e", run.lr * 256 / optim.effectiveBatch()),
                    String.format("%.2e", run.lr), optim.effectiveBatch(), optim.batchSize(), optim.accumIter(),
                    run.stepsPerEpoch, run.totalSteps, optim.warmupEpochs(), optim.weightDecay());
            if (finetune != null) {
                ClsSetup.loadPretrained(finetune, run.model(), model);
            } else {
                LOG.warn("no --finetune checkpoint: the {} starts from a randomly initialised encoder", task);
            }
            return run;
        } catch (IOException | RuntimeException e) {
            if (dp != null) {
                dp.close();
            }
            cacheManager.close();
            throw e;
        }
    }

    /** The master replica: the model the optimiser updates, checkpoints save and evaluation runs. */
    VisionTransformer model() {
        return dp.master();
    }

    /**
     * Runs the training loop (checkpoints and an evaluation every epoch or {@code eval_every}
     * steps, the best kept by test top-1), draws the accuracy plot and returns the evaluations.
     *
     * @param config the resolved configuration, saved in the run folder
     * @param title  the task and model, for the plot and the log
     */
    ClsResult fit(ClsRunConfig runConfig, Record config, boolean resume, long seed, TrainState state,
                  TrainingLoop.StepFunction step, Supplier<Accuracy> eval, String title) throws IOException {
        RunDir run = ClsSetup.runDir(runConfig, config, resume, dp.group().env());
        AccuracyHistory history = AccuracyHistory.open(run.dir());
        LrSchedule schedule = LrSchedule.warmupCosine(lr, optim.minLr(), optim.warmupEpochs(), optim.epochs());
        TrainingLoop loop = TrainingLoop.builder()
                .setRun(run).setTotalSteps(totalSteps).setSeed(seed)
                .optStepsPerEpoch(stepsPerEpoch)
                .optLearningRate(s -> schedule.lr((double) s / stepsPerEpoch))
                .optLogEvery(runConfig.logEvery())
                .optCheckpointEvery(ClsSetup.evalEvery(runConfig, stepsPerEpoch, totalSteps))
                .optKeepLast(runConfig.keepLast())
                .optAllowSkippedUpdates(runConfig.allowSkippedUpdates())
                .optResume(resume)
                .optProcess(dp.group().env())
                .optBest("test_acc1", true, ClsSetup.evaluator(history, stepsPerEpoch, eval))
                .optTensorBoard(TensorBoardTags.epoch1000x(stepsPerEpoch, optim.accumIter())
                        .perEpoch("test_acc1", "perf/test_acc1", stepsPerEpoch)
                        .perEpoch("test_acc5", "perf/test_acc5", stepsPerEpoch)
                        .perEpoch("test_loss", "perf/test_loss", stepsPerEpoch))
                .build();
        model().train(true);
        TrainingLoop.Result r = loop.run(model().manager(), state, step);
        if (dp.group().env().isMain()) {
            ClsSetup.plot(history, run, title);
        }
        if (dp.group().env().distributed()) {
            // rank 0 evaluated and wrote accuracy.jsonl; the other ranks report what it wrote
            dp.group().barrier();
            history = dp.group().env().isMain() ? history : AccuracyHistory.open(run.dir());
        }
        ClsResult result = ClsResult.of(history, r.endStep(), run.dir());
        LOG.info("{} done: best top-1 {}% (top-5 {}%) at step {}, final top-1 {}%", title, result.bestTop1(),
                result.bestTop5(), result.bestStep(), result.finalTop1());
        return result;
    }

    /** Closes the replicas, then the caches. */
    @Override
    public void close() {
        try {
            dp.close();
        } finally {
            cacheManager.close();
        }
    }
}
