package dev.usp.train.fdnet;

import dev.usp.eval.fdnet.FmnistBatches;
import dev.usp.eval.fdnet.FdNetWeights;
import dev.usp.eval.fdnet.FdNetConfig;
import dev.usp.eval.fdnet.FmnistFeatureNet;
import dev.usp.eval.fdnet.FdFmnist;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.usp.core.data.Batch;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.data.FashionMnist;
import dev.usp.train.loop.ModelState;
import dev.usp.train.data.EpochOrder;
import dev.usp.train.loop.RunDir;
import dev.usp.train.loop.StepContext;
import dev.usp.train.loop.StepResult;
import dev.usp.train.loop.TrainingLoop;
import dev.usp.train.mix.SoftTargetCrossEntropy;
import dev.usp.train.optim.AdamW;
import dev.usp.train.optim.LrSchedule;
import dev.usp.train.optim.Optimizer;
import dev.usp.train.optim.ParamGroups;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Trains {@link FmnistFeatureNet} on Fashion-MNIST with the shared {@link TrainingLoop} (metrics,
 * checkpoints, loss plot in the run folder) and the PyTorch-equal {@link AdamW}. The batch of
 * step s is a function of (seed, s) ({@link EpochOrder}): epoch e visits {@code Seeds.permutation(n, seed, e)} in
 * consecutive slices, the last partial slice dropped.
 */
public final class FdNetTrainer {

    /**
     * A finished training.
     *
     * @param net the trained net, in evaluation mode (the caller closes it)
     * @param losses the loss of every step
     * @param trainImages the training images used
     * @param seconds wall time of the loop
     */
    public record Result(FmnistFeatureNet net, double[] losses, int trainImages, double seconds) {

        /** Number of optimiser steps. */
        public long steps() {
            return losses.length;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(FdNetTrainer.class);

    private FdNetTrainer() {
    }

    /** The optimiser, as the sidecar describes it. */
    public static String optimizerName(FdNetConfig cfg) {
        OptimConfig o = cfg.optim();
        return "AdamW(betas=(" + o.beta1() + ", " + o.beta2() + "), eps=1e-8, lr=" + cfg.peakLr() + ", weight_decay="
                + o.weightDecay() + " on ndim>=2, warm-up " + o.warmupEpochs() + " epochs then cosine to "
                + (o.minLr() == 0 ? "0" : String.valueOf(o.minLr())) + ")";
    }

    /**
     * Creates a net in a sub-manager of {@code manager} (initialised from the engine RNG seeded
     * with {@code seed}) and trains it.
     *
     * @param run the run folder for metrics, checkpoints and the loss plot
     */
    public static Result train(FdNetConfig cfg, FashionMnist train, long seed, NDManager manager, RunDir run)
            throws IOException {
        int n = cfg.data().limit() == 0 ? train.size() : Math.min(cfg.data().limit(), train.size());
        int perEpoch = n / cfg.batchSize();
        if (perEpoch == 0) {
            throw new IllegalArgumentException("batch size " + cfg.batchSize() + " is larger than the "
                    + n + " training images");
        }
        long total = (long) perEpoch * cfg.epochs();
        Engine.getInstance().setRandomSeed((int) seed);
        FmnistFeatureNet net = new FmnistFeatureNet(manager.newSubManager(), cfg.net());
        LrSchedule schedule = LrSchedule.warmupCosine(cfg.peakLr(), cfg.optim().minLr(), cfg.optim().warmupEpochs(),
                cfg.epochs());
        double[] losses = new double[(int) total];
        long start = System.nanoTime();
        try (Optimizer opt = new AdamW(net.trainableParameters(),
                ParamGroups.weightDecay(net.trainableParameters(), cfg.optim().weightDecay(), Set.of()),
                cfg.optim().beta1(), cfg.optim().beta2(), 1e-8)) {
            TrainingLoop loop = TrainingLoop.builder().setRun(run).setTotalSteps(total).setSeed(seed)
                    .optStepsPerEpoch(perEpoch).optCheckpointEvery(perEpoch).optKeepLast(1)
                    .optLogEvery(Math.max(1, Math.min(50, perEpoch / 4)))
                    .optLearningRate(step -> schedule.lr((double) step / perEpoch))
                    .optAllowSkippedUpdates(cfg.allowSkippedUpdates())
                    .build();
            EpochOrder order = new EpochOrder(n, cfg.batchSize(), seed);
            loop.run(net.manager(), ModelState.of(net, opt), ctx -> {
                int[] rows = order.indices(ctx.step());
                StepResult r = step(net, opt, FmnistBatches.batch(train, rows, ctx.manager()), ctx);
                losses[(int) ctx.step()] = r.loss();
                return r;
            });
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        LOG.info("trained {} steps on {} images in {} s", total, n, String.format("%.1f", seconds));
        net.eval();
        return new Result(net, losses, n, seconds);
    }

    /**
     * What {@code usp train-fdnet} does: reads both splits from {@code dataDir}, trains in the
     * run folder {@code out} (which must not hold checkpoints yet), measures top-1 accuracy on
     * the 10,000 test images and writes {@code out/}{@link FdNetWeights#FILE} with its sidecar.
     *
     * @param dataDir the Fashion-MNIST IDX folder, or null for the config's {@code data.dir} (whose null is
     *     {@link FashionMnist#DEFAULT_DIR})
     * @return the sidecar written
     */
    public static FdNetWeights.Card trainAndSave(FdNetConfig cfg, Path dataDir, long seed, Device device, Path out)
            throws IOException {
        Path dir = dataDir != null ? dataDir : cfg.data().dir();
        FashionMnist train = FashionMnist.load(dir, FashionMnist.Split.TRAIN);
        FashionMnist test = FashionMnist.load(dir, FashionMnist.Split.TEST);
        Path abs = out.toAbsolutePath();
        RunDir run = RunDir.create(abs.getParent(), abs.getFileName().toString(), ConfigLoader.toYaml(cfg));
        try (NDManager manager = NDManager.newBaseManager(device)) {
            Result r = train(cfg, train, seed, manager, run);
            try (FmnistFeatureNet net = r.net()) {
                double acc = accuracy(net, test, 0, cfg.evalBatchSize());
                LOG.info("test accuracy {} on {} images", String.format("%.4f", acc), test.size());
                FdNetWeights.Card card = new FdNetWeights.Card(FdNetWeights.FORMAT, FdFmnist.FD_NAME + ", " + FdFmnist.IS_NAME,
                        cfg.net(), "Fashion-MNIST (" + (dir == null ? FashionMnist.DEFAULT_DIR : dir) + ")",
                        r.trainImages(), test.size(), acc, FmnistBatches.INPUT_FORM, seed, cfg.epochs(),
                        cfg.batchSize(), r.steps(), optimizerName(cfg), r.seconds());
                FdNetWeights.save(net, card, run.file(FdNetWeights.FILE));
                return card;
            }
        }
    }

    /** One AdamW step on a batch: cross-entropy of the logits, backward, update. */
    private static StepResult step(FmnistFeatureNet net, Optimizer opt, Batch b, StepContext ctx) {
        opt.zeroGrad();
        double loss;
        double accuracy;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray logits = net.forward(b.images());                                   // (N, 10)
            NDArray ce = SoftTargetCrossEntropy.loss(logits, b.labels().oneHot(FmnistFeatureNet.CLASSES));
            gc.backward(ce);
            loss = ce.getFloat();
            accuracy = logits.argMax(1).eq(b.labels()).toType(DataType.FLOAT32, false)
                    .mean().getFloat();
        }
        ctx.update(opt, loss);
        return StepResult.of(loss, b.images().getShape().get(0)).with("train_acc", accuracy);
    }

    /**
     * Top-1 accuracy of {@code net} on rows {@code [0, limit)} of {@code data} (all when limit is
     * 0), in batches of {@code batchSize}.
     */
    public static double accuracy(FmnistFeatureNet net, FashionMnist data, int limit, int batchSize) {
        int n = limit == 0 ? data.size() : Math.min(limit, data.size());
        long correct = 0;
        for (int from = 0; from < n; from += batchSize) {
            try (NDManager scope = net.manager().newSubManager()) {
                Batch b = FmnistBatches.batch(data, FmnistBatches.range(from, Math.min(n, from + batchSize)), scope);
                correct += net.forward(b.images()).argMax(1).eq(b.labels()).sum().toType(
                        DataType.INT64, false).getLong();
            }
        }
        return (double) correct / n;
    }
}
