package dev.usp.train.cls;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.usp.core.engine.Scalars;
import dev.usp.core.nn.Parameter;
import dev.usp.core.weights.StateDict;
import dev.usp.models.vit.ProbeHead;
import dev.usp.models.vit.VisionTransformer;
import dev.usp.train.loop.Checkpoint;
import dev.usp.train.loop.RunDir;
import dev.usp.train.loop.StepContext;
import dev.usp.train.loop.StepResult;
import dev.usp.train.loop.TrainState;
import dev.usp.train.loop.TrainingLoop;
import dev.usp.train.mix.Mixup;
import dev.usp.train.mix.SoftTargetCrossEntropy;
import dev.usp.train.optim.Lars;
import dev.usp.train.optim.LrSchedule;
import dev.usp.train.optim.ParamGroups;
import dev.usp.vae.cache.LatentCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Linear probing as USP's {@code main_linprobe.py}: the encoder (optionally its first
 * {@code depth - skip_depth} blocks) is frozen, only {@code head} = BatchNorm1d (no affine, eps
 * 1e-6) + Linear trains, with LARS (momentum 0.9, trust 0.001, wd 0), cross-entropy, warm-up then
 * cosine set every step; top-1/top-5 on the test cache every epoch.
 *
 * <p>With {@code precompute_features} the frozen encoder runs once over both flips of every
 * training image ({@link FeatureTable}) and the head trains on stored features (the test images'
 * features are stored too, for evaluation); otherwise each step encodes its batch. Both give the
 * same features for posterior-mean latents (the encoder has no dropout or drop path here).
 * Deviation from the official script: it encodes random-resized-crop + flip augmented images
 * every step; a latent cache only holds each image and its flip, so the probe sees 2 views per
 * image.
 *
 * <p>Checkpoints hold only the head ({@code head.*}) and LARS state: the encoder is rebuilt from
 * the {@code finetune} checkpoint, which a resumed run must be given again.
 */
public final class LinearProbe {

    private static final Logger LOG = LoggerFactory.getLogger(LinearProbe.class);

    private LinearProbe() {
    }

    /**
     * Trains (or, with {@code resume}, continues) a linear probe and returns its evaluations.
     *
     * @param config  the resolved configuration
     * @param seed    run seed (model init, data order, flips)
     * @param manager the manager (and device) the caches and the model live under
     * @param resume  continue the newest checkpoint of {@code run.runs_dir/run.name} if there is one
     */
    public static ClsResult run(LinprobeConfig config, long seed, NDManager manager, boolean resume)
            throws IOException {
        ClsDataConfig data = config.data();
        ClsOptimConfig optim = config.optim();
        try (LatentCache train = LatentCache.open(data.trainCache(), manager);
             LatentCache test = LatentCache.open(data.testCache(), manager);
             NDManager modelManager = manager.newSubManager()) {
            ClsBatches batches = new ClsBatches(train, optim.batchSize(), seed, data.latent());
            long stepsPerEpoch = ClsSetup.stepsPerEpoch(batches.batchesPerEpoch(), optim.accumIter());
            long totalSteps = Math.round(optim.epochs() * stepsPerEpoch);
            double lr = optim.actualLr();
            LOG.info("linear probe: {} train / {} test images, {} classes, latent input {}, skip depth {}, pool {}, "
                    + "precomputed features {}", train.size(), test.size(), data.numClasses(), data.latent(),
                    config.model().skipDepth(), config.model().pool(), config.precomputeFeatures());
            LOG.info("base lr {}, actual lr {}, effective batch {} ({} x accum {}), {} steps/epoch, {} steps, "
                    + "warm-up {} epochs, weight decay {}", String.format("%.2e", lr * 256 / optim.effectiveBatch()),
                    String.format("%.2e", lr), optim.effectiveBatch(), optim.batchSize(), optim.accumIter(),
                    stepsPerEpoch, totalSteps, optim.warmupEpochs(), optim.weightDecay());
            if (config.model().dropPath() > 0) {
                LOG.warn("model.drop_path {} > 0: the frozen encoder's features are random in training mode "
                        + "(the official probe uses 0)", config.model().dropPath());
            }

            VisionTransformer model = ClsSetup.buildModel(config.model(), data, train, test, true, seed, modelManager);
            if (config.finetune() != null) {
                ClsSetup.loadPretrained(config.finetune(), model);
            } else {
                LOG.warn("no --finetune checkpoint: probing a randomly initialised encoder");
            }
            Map<String, Parameter> head = headParameters(model);
            long headSize = head.values().stream().mapToLong(p -> p.shape().size()).sum();
            LOG.info("trainable (head): {} of {} parameters", headSize, model.parameterCount());
            boolean pre = config.precomputeFeatures();
            int chunk = data.evalBatchSize();
            try (Lars opt = new Lars(head, ParamGroups.single(head, optim.weightDecay()));
                 FeatureTable table = pre
                         ? FeatureTable.compute(model, train, data.latent(), chunk, true, modelManager) : null;
                 FeatureTable testTable = pre
                         ? FeatureTable.compute(model, test, LatentInput.MEAN, chunk, false, modelManager) : null) {
                RunDir run = ClsSetup.runDir(config.run(), config, resume);
                AccuracyHistory history = AccuracyHistory.open(run.dir());
                LrSchedule schedule = LrSchedule.warmupCosine(lr, optim.minLr(), optim.warmupEpochs(), optim.epochs());
                Trainer trainer = new Trainer(model, opt, batches, table, optim.accumIter(), data.numClasses());
                TrainingLoop loop = TrainingLoop.builder()
                        .setRun(run).setTotalSteps(totalSteps).setSeed(seed)
                        .optStepsPerEpoch(stepsPerEpoch)
                        .optLearningRate(s -> schedule.lr((double) s / stepsPerEpoch))
                        .optLogEvery(config.run().logEvery())
                        .optCheckpointEvery(ClsSetup.evalEvery(config.run(), stepsPerEpoch, totalSteps))
                        .optKeepLast(config.run().keepLast())
                        .optResume(resume)
                        .optBest("test_acc1", true, ClsSetup.evaluator(history, stepsPerEpoch,
                                () -> evaluate(model, test, testTable, data.evalBatchSize())))
                        .build();
                model.train(true);
                TrainingLoop.Result r = loop.run(model.manager(), trainer.state(), trainer::step);
                ClsSetup.plot(history, run, "linear probe " + config.model().name());
                ClsResult result = ClsResult.of(history, r.endStep(), run.dir());
                LOG.info("linear probe done: best top-1 {}% (top-5 {}%) at step {}, final top-1 {}%", result.bestTop1(),
                        result.bestTop5(), result.bestStep(), result.finalTop1());
                return result;
            }
        }
    }

    /**
     * Top-1/top-5 of the probe on the test cache in eval mode (training mode restored after):
     * the head on stored features when {@code testTable} is given (the encoder is frozen, so they
     * equal a forward pass), else the whole model.
     */
    public static Accuracy evaluate(VisionTransformer model, LatentCache test, FeatureTable testTable, int batchSize) {
        if (testTable == null) {
            return ClassifierFinetune.evaluate(model, test, batchSize);
        }
        ProbeHead probe = probeOf(model);
        boolean wasTraining = model.isTraining();
        model.eval();
        try {
            return Evaluation.evaluate(test, batchSize,
                    (indices, m) -> probe.forward(testTable.rows(Arrays.stream(indices).asLongStream().toArray(), m)),
                    model.manager());
        } finally {
            model.train(wasTraining);
        }
    }

    private static ProbeHead probeOf(VisionTransformer model) {
        if (!(model.children().get("head") instanceof ProbeHead p)) {
            throw new IllegalArgumentException("linear probing needs a model built with the probe head");
        }
        return p;
    }

    /** The probe head's parameters ({@code head.1.weight}, {@code head.1.bias}): all that trains. */
    public static Map<String, Parameter> headParameters(VisionTransformer model) {
        Map<String, Parameter> out = new LinkedHashMap<>();
        model.trainableParameters().forEach((k, v) -> {
            if (k.startsWith("head.")) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** One LARS step of the head over {@code accum} micro-batches, from stored or freshly computed features. */
    static final class Trainer {
        private final VisionTransformer model;
        private final ProbeHead probe;
        private final Lars opt;
        private final ClsBatches batches;
        private final FeatureTable table;
        private final int accum;
        private final int numClasses;

        /** @param table pre-computed features, or null to run the frozen encoder every step */
        Trainer(VisionTransformer model, Lars opt, ClsBatches batches, FeatureTable table, int accum, int numClasses) {
            this.model = model;
            this.probe = probeOf(model);
            this.opt = opt;
            this.batches = batches;
            this.table = table;
            this.accum = accum;
            this.numClasses = numClasses;
        }

        StepResult step(StepContext ctx) {
            opt.zeroGrad();
            double lossSum = 0;
            long samples = 0;
            for (int micro = 0; micro < accum; micro++) {
                try (NDManager m = ctx.manager().newSubManager()) {
                    ClsBatches.Selection sel = batches.select(ctx.step() * accum + micro);
                    NDArray features = features(sel, m);                              // (N, D), no graph
                    lossSum += backwardHead(probe, features, m.create(sel.labels()), numClasses, accum);
                    samples += sel.images().length;
                }
            }
            opt.step(ctx.lr());
            return StepResult.of(lossSum / accum, samples);
        }

        /**
         * Cross-entropy of the head on features (N, D) with integer labels (N), back-propagated
         * divided by {@code accum} into the head's gradients (which accumulate); returns the loss.
         */
        static double backwardHead(ProbeHead probe, NDArray features, NDArray labels, int numClasses, int accum) {
            NDArray target = Mixup.mixupTarget(labels, numClasses, 1.0, 0.0, features);   // one-hot (N, K)
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = SoftTargetCrossEntropy.loss(probe.forward(features), target);
                gc.backward(accum == 1 ? loss : Scalars.div(loss, accum));
                return loss.getFloat();
            }
        }

        /** The encoder's features of a batch, outside autograd: from the table or from a forward pass. */
        NDArray features(ClsBatches.Selection sel, NDManager m) {
            if (table != null) {
                return table.rows(sel.rows(), m);
            }
            return model.forwardFeatures(batches.latents(sel, m)).stopGradient();
        }

        TrainState state() {
            return new OptimizerState(opt) {
                @Override
                Map<String, StateDict> modelParts() {
                    return Map.of("head", model.stateDict().filter(k -> k.startsWith("head.")));
                }

                @Override
                public void restore(Checkpoint cp) {
                    StateDict saved = cp.part("head");
                    StateDict mine = model.stateDict().filter(k -> k.startsWith("head."));
                    if (!saved.keys().equals(mine.keys())) {
                        throw new IllegalArgumentException("checkpoint head keys " + saved.keys()
                                + " differ from the model's " + mine.keys());
                    }
                    model.loadStateDict(saved, false);
                    opt.loadStateDict(cp.part("optimizer"));
                }
            };
        }
    }
}
