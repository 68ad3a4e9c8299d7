package dev.usp.train.cls;

import dev.usp.eval.metrics.Accuracy;
import dev.usp.core.engine.HostArrays;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Scalars;
import dev.usp.core.nn.Parameter;
import dev.usp.models.vit.VisionTransformer;
import dev.usp.core.engine.Seeds;
import dev.usp.train.loop.ModelState;
import dev.usp.train.loop.StepContext;
import dev.usp.train.loop.StepResult;
import dev.usp.train.loop.TrainState;
import dev.usp.train.mix.MixRandom;
import dev.usp.train.mix.Mixup;
import dev.usp.train.mix.SoftTargetCrossEntropy;
import dev.usp.train.optim.AdamW;
import dev.usp.train.optim.GradClip;
import dev.usp.train.optim.ParamGroup;
import dev.usp.train.optim.ParamGroups;
import dev.usp.train.distributed.Collectives;
import dev.usp.train.parallel.DataParallel;
import dev.usp.vae.cache.LatentCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * End-to-end fine-tuning of a ViT classifier on cached latents, as USP's {@code main_finetune.py}
 * and {@code engine_finetune.py}: AdamW (betas 0.9/0.999) over layer-wise lr-decay groups, the
 * learning rate set every step (warm-up then half-cycle cosine, {@code blr * batch / 256}),
 * mixup/cutmix with label smoothing and soft-target cross-entropy, drop path, optional gradient
 * norm clipping, and an evaluation on the test cache (posterior means) every epoch that also
 * keeps the best checkpoint. Over several devices it is data parallel ({@link DataParallel}:
 * each replica takes an equal shard of every micro-batch, the master's gradient is that of the
 * whole micro-batch's mean loss); mixup/cutmix is drawn on the whole micro-batch before it is cut.
 *
 * <p>Deviation: the official script encodes RandAugment/random-resized-crop/random-erase
 * augmented images on the fly; a latent cache only holds each image and its flip, so the
 * augmentation here is the random flip plus mixup/cutmix, which are applied to latents (the
 * official default {@code image_mix=False} mixes latents too).
 */
public final class ClassifierFinetune {

    private static final Logger LOG = LoggerFactory.getLogger(ClassifierFinetune.class);
    /** timm ViT's {@code no_weight_decay()}. */
    private static final Set<String> NO_WEIGHT_DECAY = Set.of("pos_embed", "cls_token", "dist_token");

    private ClassifierFinetune() {
    }

    /**
     * Trains (or, with {@code resume}, continues) a fine-tune run and returns its evaluations.
     *
     * @param config  the resolved configuration
     * @param seed    run seed (model init, data order, flips, mixup, drop path)
     * @param devices the devices to train on (several: data parallel, gradients averaged; the
     *                caches live on the first)
     * @param resume  continue the newest checkpoint of {@code run.dir/run.name} if there is one
     */
    public static ClsResult run(FinetuneConfig config, long seed, List<Device> devices, boolean resume)
            throws IOException {
        return run(config, seed, devices, Collectives.single(), resume);
    }

    /**
     * {@link #run(FinetuneConfig, long, List, boolean)} as one rank of a job of several processes:
     * {@code batch_size} is the global batch, shared by all ranks and devices; rank 0 writes the
     * run and evaluates.
     */
    public static ClsResult run(FinetuneConfig config, long seed, List<Device> devices, Collectives group, boolean resume)
            throws IOException {
        ClsDataConfig data = config.classifierData();
        try (ClsRun frame = ClsRun.open("fine-tune", data, config.model(), config.schedule(), config.finetune(), false,
                seed, devices, group)) {
            LOG.info("layer decay {}, clip grad {}, mixup {} cutmix {} smoothing {}, drop path {}",
                    config.layerDecay(), config.clipGrad() > 0 ? config.clipGrad() : "off", config.mix().mixup(),
                    config.mix().cutmix(), config.mix().smoothing(), config.model().dropPath());
            if (devices.size() > 1 && config.model().dropPath() > 0) {
                LOG.warn("drop path draws from the engine RNG on {} replica threads: runs are not bitwise "
                        + "reproducible", devices.size());
            }
            VisionTransformer model = frame.model();
            try (AdamW opt = new AdamW(model.trainableParameters(), paramGroups(model, config),
                    config.optim().beta1(), config.optim().beta2(), 1e-8)) {
                Trainer trainer = new Trainer(frame.dp, opt, frame.batches, config);
                return frame.fit(config.runSettings(), config, resume, seed, trainer.state(), trainer::step,
                        () -> evaluate(model, frame.test, data.evalBatchSize()), "fine-tune " + config.model().name());
            }
        }
    }

    /**
     * MAE's {@code param_groups_lrd}: block i's parameters get lr scale
     * {@code layerDecay^(depth - i)}, patch embedding / cls token / pos embedding
     * {@code layerDecay^(depth + 1)}, the rest (norms, head) 1; no weight decay for 1-D
     * parameters, {@code pos_embed} and {@code cls_token}.
     */
    public static List<ParamGroup> paramGroups(VisionTransformer model, FinetuneConfig config) {
        Map<String, Parameter> params = model.trainableParameters();
        return ParamGroups.layerDecay(params, config.schedule().weightDecay(), NO_WEIGHT_DECAY, config.layerDecay(),
                model.config().depth());
    }

    /** Top-1/top-5 of the classifier on the test cache, in eval mode (training mode restored after). */
    public static Accuracy evaluate(VisionTransformer model, LatentCache test, int batchSize) {
        boolean wasTraining = model.isTraining();
        model.eval();
        try {
            return Evaluation.evaluate(test, batchSize, model::forward, model.manager());
        } finally {
            model.train(wasTraining);
        }
    }

    /** One optimiser step over {@code accum_iter} micro-batches. */
    static final class Trainer {
        private final DataParallel<VisionTransformer> dp;
        private final VisionTransformer model;
        private final AdamW opt;
        private final ClsBatches batches;
        private final FinetuneConfig config;
        private final Mixup mixup;

        Trainer(DataParallel<VisionTransformer> dp, AdamW opt, ClsBatches batches, FinetuneConfig config) {
            this.dp = dp;
            this.model = dp.master();
            this.opt = opt;
            this.batches = batches;
            this.config = config;
            MixConfig mix = config.mix();
            this.mixup = mix.enabled() ? new Mixup(mix.mixup(), mix.cutmix(), mix.prob(), mix.switchProb(),
                    mix.smoothing(), config.classifierData().numClasses()) : null;
        }

        StepResult step(StepContext ctx) {
            int accum = config.schedule().accumIter();
            opt.zeroGrad();
            double lossSum = 0;
            for (int micro = 0; micro < accum; micro++) {
                try (NDManager m = ctx.manager().newSubManager()) {
                    ClsBatches.Selection sel = batches.select(ctx.step() * accum + micro);
                    NDArray x = batches.latents(sel, m);                              // (N, z, h, w)
                    NDArray labels = HostArrays.longs(m, sel.labels());
                    NDArray target;
                    if (mixup != null) {
                        MixRandom rng = MixRandom.seeded(ctx.microRandom(micro, accum, Seeds.AUX).nextLong());
                        Mixup.Result mixed = mixup.apply(x, labels, rng);
                        x = mixed.x();
                        target = mixed.target();                                       // (N, K)
                    } else {
                        target = Mixup.mixupTarget(labels, config.classifierData().numClasses(), 1.0,
                                config.mix().smoothing(), x);                          // smoothed one-hot
                    }
                    // each replica: its shard's mean loss / accum, so the master's gradient is that of the batch mean / accum
                    lossSum += accum * dp.step((vit, shard) -> {
                        NDArray loss = SoftTargetCrossEntropy.loss(vit.forward(shard.get(0)), shard.get(1));
                        return accum == 1 ? loss : Scalars.div(loss, accum);
                    }, x, target);
                }
            }
            StepResult result = StepResult.of(dp.finishStep(lossSum / accum, ctx.manager()),
                    (long) config.schedule().effectiveBatch());
            double norm = config.clipGrad() > 0
                    ? GradClip.clipGradNorm(model.trainableParameters(), config.clipGrad())
                    : GradClip.gradNorm(model.trainableParameters());
            ctx.update(opt, result.loss(), norm);
            return config.clipGrad() > 0 ? result.with("grad_norm", norm) : result;
        }

        TrainState state() {
            return ModelState.of(model, opt);
        }
    }
}
