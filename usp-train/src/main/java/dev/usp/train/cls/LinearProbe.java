package dev.usp.train.cls;

import dev.usp.eval.metrics.Accuracy;
import dev.usp.core.engine.HostArrays;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.usp.core.engine.Scalars;
import dev.usp.core.nn.Parameter;
import dev.usp.models.vit.ProbeHead;
import dev.usp.models.vit.VisionTransformer;
import dev.usp.train.loop.ModelState;
import dev.usp.train.loop.StepContext;
import dev.usp.train.loop.StepResult;
import dev.usp.train.loop.TrainState;
import dev.usp.train.mix.Mixup;
import dev.usp.train.mix.SoftTargetCrossEntropy;
import dev.usp.train.optim.Lars;
import dev.usp.train.optim.ParamGroups;
import dev.usp.train.distributed.Collectives;
import dev.usp.train.parallel.DataParallel;
import dev.usp.vae.cache.LatentCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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
 * <p>Over several devices the frozen encoder's per-step forward is data parallel
 * ({@link DataParallel#map}); the head trains on the master over the whole batch, so its
 * BatchNorm sees the global batch and the result equals single-device training.
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
     * @param devices the devices to run on (several: the frozen encoder's per-step features are
     *                computed data parallel; the caches live on the first)
     * @param resume  continue the newest checkpoint of {@code run.dir/run.name} if there is one
     */
    public static ClsResult run(LinprobeConfig config, long seed, List<Device> devices, boolean resume)
            throws IOException {
        return run(config, seed, devices, Collectives.single(), resume);
    }

    /**
     * {@link #run(LinprobeConfig, long, List, boolean)} as one rank of a job of several processes:
     * {@code batch_size} is the global batch, shared by all ranks and devices; rank 0 writes the
     * run and evaluates.
     */
    public static ClsResult run(LinprobeConfig config, long seed, List<Device> devices, Collectives group, boolean resume)
            throws IOException {
        ClsDataConfig data = config.classifierData();
        try (ClsRun frame = ClsRun.open("linear probe", data, config.model(), config.schedule(), config.finetune(), true,
                seed, devices, group)) {
            LOG.info("skip depth {}, pool {}, precomputed features {}", config.model().skipDepth(),
                    config.model().pool(), config.precomputeFeatures());
            if (config.model().dropPath() > 0) {
                LOG.warn("model.drop_path {} > 0: the frozen encoder's features are random in training mode "
                        + "(the official probe uses 0)", config.model().dropPath());
            }
            VisionTransformer model = frame.model();
            Map<String, Parameter> head = headParameters(model);
            long headSize = head.values().stream().mapToLong(p -> p.shape().size()).sum();
            LOG.info("trainable (head): {} of {} parameters", headSize, model.parameterCount());
            boolean pre = config.precomputeFeatures();
            int chunk = data.evalBatchSize();
            try (Lars opt = new Lars(head, ParamGroups.single(head, config.schedule().weightDecay()));
                 FeatureTable table = pre
                         ? FeatureTable.compute(model, frame.train, data.latent(), chunk, true, model.manager()) : null;
                 FeatureTable testTable = pre
                         ? FeatureTable.compute(model, frame.test, LatentInput.MEAN, chunk, false, model.manager())
                         : null) {
                Trainer trainer = new Trainer(frame.dp, opt, frame.batches, table, config.schedule().accumIter(),
                        data.numClasses());
                return frame.fit(config.runSettings(), config, resume, seed, trainer.state(), trainer::step,
                        () -> evaluate(model, frame.test, testTable, data.evalBatchSize()),
                        "linear probe " + config.model().name());
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
        private final DataParallel<VisionTransformer> dp;
        private final VisionTransformer model;
        private final ProbeHead probe;
        private final Lars opt;
        private final ClsBatches batches;
        private final FeatureTable table;
        private final int accum;
        private final int numClasses;

        /** @param table pre-computed features, or null to run the frozen encoder every step */
        Trainer(DataParallel<VisionTransformer> dp, Lars opt, ClsBatches batches, FeatureTable table, int accum,
                int numClasses) {
            this.dp = dp;
            this.model = dp.master();
            this.probe = probeOf(model);
            this.opt = opt;
            this.batches = batches;
            this.table = table;
            this.accum = accum;
            this.numClasses = numClasses;
        }

        /**
         * One step. In a job of several processes each rank trains the head on its rows of the
         * global batch (its share of the mean loss), then the head's gradients are summed over
         * the ranks; the head's BatchNorm normalises with the rank's own rows, as under DDP.
         */
        StepResult step(StepContext ctx) {
            opt.zeroGrad();
            int world = dp.group().env().worldSize();
            double lossSum = 0;
            long samples = 0;
            for (int micro = 0; micro < accum; micro++) {
                try (NDManager m = ctx.manager().newSubManager()) {
                    ClsBatches.Selection sel = batches.select(ctx.step() * accum + micro);
                    NDArray features = features(sel, m);                              // (n, D), no graph
                    NDArray labels = dp.mine(HostArrays.longs(m, sel.labels()))[0];
                    lossSum += backwardHead(probe, features, labels, numClasses, accum * world);
                    samples += sel.images().length;
                }
            }
            double loss = dp.finishStep(lossSum / accum / world, ctx.manager());
            ctx.update(opt, loss);
            return StepResult.of(loss, samples);
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

        /**
         * The encoder's features of this rank's rows of a batch, outside autograd: from the table,
         * or from a forward pass spread over the replicas.
         */
        NDArray features(ClsBatches.Selection sel, NDManager m) {
            if (table != null) {
                return dp.mine(table.rows(sel.rows(), m))[0];
            }
            return dp.map((vit, shard) -> vit.forwardFeatures(shard.get(0)), m, dp.mine(batches.latents(sel, m)));
        }

        /** The head ({@code head.*}, part {@code head}) and the LARS state: the encoder comes from {@code finetune}. */
        TrainState state() {
            return ModelState.ofPart("head", model, k -> k.startsWith("head."), opt);
        }
    }
}
