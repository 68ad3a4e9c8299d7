package dev.usp.train.pretrain;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.engine.Scalars;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.config.DataConfig;
import dev.usp.core.config.OptimConfig;
import dev.usp.models.mae.LatentNoise;
import dev.usp.models.mae.MaeModels;
import dev.usp.models.mae.MaeOptions;
import dev.usp.models.mae.MaeOutput;
import dev.usp.models.mae.MaskedAutoencoder;
import dev.usp.train.data.LatentBatches;
import dev.usp.train.data.LatentSource;
import dev.usp.train.loop.ModelState;
import dev.usp.train.loop.RunDir;
import dev.usp.train.loop.StepResult;
import dev.usp.train.loop.TrainState;
import dev.usp.train.loop.TrainingLoop;
import dev.usp.train.tensorboard.TensorBoardTags;
import dev.usp.train.optim.AdamW;
import dev.usp.train.optim.LrSchedule;
import dev.usp.train.optim.ParamGroups;
import dev.usp.train.distributed.Collectives;
import dev.usp.train.parallel.DataParallel;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.cache.LatentCache;
import dev.usp.vae.weights.VaeFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * USP's masked latent pretraining ({@code main_pretrain.py} + {@code engine_pretrain.py}): an MAE
 * on VAE latents, AdamW (betas 0.9/0.95) with weight decay on every tensor of 2+ dimensions,
 * lr = blr x effective batch / 256 with per-iteration warm-up and half-cycle cosine, gradient
 * accumulation, optional input noising, data parallel over the given devices. The input is a
 * latent cache or images encoded by the frozen VAE ({@link PretrainConfig.Data}). The result's
 * {@code model} part is the checkpoint that DiT, SiT and the ViT classifier load.
 */
public final class Pretrainer {

    private static final Logger LOG = LoggerFactory.getLogger(Pretrainer.class);

    /** What a finished (or resumed and finished) run produced. */
    public record Result(Path runDir, Path checkpoint, long steps, double lastLoss, double lr) {
    }

    private Pretrainer() {
    }

    /**
     * Runs pretraining on the input the config names: the latent cache ({@code data.source: cache})
     * or images encoded by the frozen VAE ({@code data.source: images}), which lives on the first device.
     *
     * @param resume continue the run named in the config from its latest checkpoint
     * @param devices the devices to train on (several: data parallel, gradients averaged)
     */
    public static Result run(PretrainConfig cfg, long seed, boolean resume, List<Device> devices) throws IOException {
        return run(cfg, seed, resume, devices, Collectives.single());
    }

    /**
     * {@link #run(PretrainConfig, long, boolean, List)} as one rank of a job of several processes:
     * {@code batch_size} is the global batch, shared by all ranks and devices; rank 0 writes the run.
     */
    public static Result run(PretrainConfig cfg, long seed, boolean resume, List<Device> devices, Collectives group)
            throws IOException {
        DataConfig data = cfg.data();
        if (data.fromImages()) {
            if (cfg.vae() == null) {
                throw new IllegalArgumentException("data.source is images but vae is not set: give the VAE weights"
                        + " (e.g. --set vae=runs/vae-fmnist/vae.safetensors from 'usp train-vae')");
            }
            try (NDManager root = NDManager.newBaseManager(devices.get(0));
                 AutoencoderKL vae = VaeFiles.load(cfg.vae(), cfg.vaePreset(), root)) {
                return run(cfg, seed, resume, ImageInput.open(cfg, vae, seed), devices, group, null);
            }
        }
        if (data.train() == null) {
            throw new IllegalArgumentException("data.train is not set: give the latent cache folder written by"
                    + " 'usp encode' (e.g. --set data.train=runs/fmnist/latents-train)");
        }
        try (NDManager root = NDManager.newBaseManager();
             LatentCache cache = LatentCache.open(data.train(), root)) {
            LatentSource source = new LatentBatches(cache, cfg.batchSize(), seed);
            return run(cfg, seed, resume, source, devices, group, null);
        }
    }

    /** Runs pretraining on any latent source (the pipeline and tests pass their own). */
    public static Result run(PretrainConfig cfg, long seed, boolean resume, LatentSource source, List<Device> devices)
            throws IOException {
        return run(cfg, seed, resume, source, devices, Collectives.single(), null);
    }

    /**
     * {@link #run(PretrainConfig, long, boolean, LatentSource, List)} that also evaluates
     * {@code atCheckpoint} after each checkpoint (the memory soak samples RSS so), or null for none.
     */
    public static Result run(PretrainConfig cfg, long seed, boolean resume, LatentSource source, List<Device> devices,
                             TrainingLoop.Best atCheckpoint) throws IOException {
        return run(cfg, seed, resume, source, devices, Collectives.single(), atCheckpoint);
    }

    /**
     * The general form: any latent source (the global batch of each step), the devices of this
     * process, the job's collectives, and a metric evaluated at each checkpoint (or null).
     */
    public static Result run(PretrainConfig cfg, long seed, boolean resume, LatentSource source, List<Device> devices,
                             Collectives group, TrainingLoop.Best atCheckpoint) throws IOException {
        int shards = devices.size() * group.env().worldSize();
        if (source.batchSize() % shards != 0) {
            throw new IllegalArgumentException("batch_size " + source.batchSize() + " must be divisible by the "
                    + shards + " replicas (" + devices.size() + " device(s) x " + group.env().worldSize() + " process(es))");
        }
        OptimConfig o = cfg.optim();
        int accum = cfg.accumIter();
        long effectiveBatch = (long) cfg.batchSize() * accum;
        double lr = o.actualLr(Math.toIntExact(effectiveBatch));
        long stepsPerEpoch = Math.max(1, source.batchesPerEpoch() / accum);
        long totalSteps = Math.max(1, Math.round(cfg.epochs() * stepsPerEpoch));
        LrSchedule schedule = LrSchedule.warmupCosine(lr, o.minLr(), o.warmupEpochs(), cfg.epochs());
        LOG.info("pretraining {}: effective batch {}, base lr {}, actual lr {}, {} steps ({} per epoch, {} epochs)",
                cfg.model(), effectiveBatch, o.blr(), lr, totalSteps, stepsPerEpoch, cfg.epochs());

        Engine.getInstance().setRandomSeed((int) seed);
        MaeOptions opts = new MaeOptions(cfg.latentSize(), cfg.latentChannels(), cfg.patchSize(),
                cfg.normPixLoss(), false, cfg.maskRatio());
        try (DataParallel<MaskedAutoencoder> dp = new DataParallel<>(m -> MaeModels.create(cfg.model(), opts, m), devices, group);
             AdamW opt = new AdamW(dp.master().trainableParameters(),
                     ParamGroups.weightDecay(dp.master().trainableParameters(), o.weightDecay(), Set.of()),
                     o.beta1(), o.beta2(), 1e-8)) {
            MaskedAutoencoder mae = dp.master();
            LOG.info("{}: {} parameters ({} in the encoder)", cfg.model(),
                    String.format("%,d", mae.parameterCount()), String.format("%,d", mae.encoderParameterCount()));
            RunDir run = RunDir.forProcess(cfg.run().dir(), cfg.run().nameOrNull(), ConfigLoader.toYaml(cfg), resume,
                    group.env());
            TrainState state = ModelState.of(mae, opt);
            TrainingLoop.Result r = TrainingLoop.builder()
                    .setRun(run).setTotalSteps(totalSteps).setSeed(seed)
                    .optStepsPerEpoch(stepsPerEpoch)
                    .optLearningRate(step -> schedule.lr((double) step / stepsPerEpoch))
                    .optLogEvery(cfg.run().logEvery())
                    .optCheckpointEvery(cfg.run().checkpointEvery())
                    .optKeepLast(cfg.run().keepLast())
                    .optAllowSkippedUpdates(cfg.run().allowSkippedUpdates())
                    .optResume(resume)
                    .optTensorBoard(TensorBoardTags.epoch1000x(stepsPerEpoch, accum).rename("loss", "train_loss"))
                    .optBest(atCheckpoint)
                    .optProcess(group.env())
                    .build()
                    .run(mae.manager(), state, ctx -> {
                        opt.zeroGrad();
                        double lossSum = 0;
                        for (int micro = 0; micro < accum; micro++) {
                            try (NDManager m = ctx.manager().newSubManager()) {
                                lossSum += microStep(cfg, dp, source.batch(ctx.step() * accum + micro, m), accum);
                            }
                        }
                        double loss = dp.finishStep(lossSum / accum, ctx.manager());
                        ctx.update(opt, loss);
                        return StepResult.of(loss, effectiveBatch);
                    });
            return new Result(run.dir(), r.lastCheckpoint(), r.endStep(), r.lastLoss(), lr);
        }
    }

    /**
     * Forward and backward of one micro-batch over the replicas; returns its mean loss. The
     * gradients (of the loss / accum) accumulate in the master. The masking noise is drawn here,
     * for the whole batch, where the model would draw it (after the input noise), so that every
     * replica and rank masks its examples as one process masks the whole batch.
     */
    private static double microStep(PretrainConfig cfg, DataParallel<MaskedAutoencoder> dp,
                                    LatentBatches.Batch batch, int accum) {
        NDArray x = batch.latents();
        NDArray target = x;
        if (cfg.addNoise()) {
            LatentNoise.Noised n = LatentNoise.apply(x);
            x = n.input();
            target = n.target();
        }
        long tokens = (long) (cfg.latentSize() / cfg.patchSize()) * (cfg.latentSize() / cfg.patchSize());
        NDArray maskNoise = x.getManager().randomUniform(0f, 1f, new Shape(x.getShape().get(0), tokens),
                DataType.FLOAT32);                                                  // (N, L), as randomMasking draws it
        return accum * dp.step((mae, shard) -> {
            MaeOutput out = mae.forward(shard.get(0), cfg.maskRatio(), shard.get(1), shard.get(2));
            return Scalars.div(out.loss(), accum);
        }, x, target, maskNoise);
    }
}
