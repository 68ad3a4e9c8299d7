package dev.usp.train.dit;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDList;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.nn.Parameter;
import dev.usp.core.weights.StateDict;
import dev.usp.models.dit.DiT;
import dev.usp.models.sit.SiT;
import dev.usp.models.generation.GeneratorFamily;
import dev.usp.models.transfer.MaeTransfer;
import dev.usp.models.transfer.PretrainedFiles;
import dev.usp.models.transfer.TransferOptions;
import dev.usp.models.transfer.TransferReport;
import dev.usp.train.data.LatentBatches;
import dev.usp.train.loop.CheckpointStore;
import dev.usp.train.loop.ModelState;
import dev.usp.train.loop.RunDir;
import dev.usp.train.loop.StepContext;
import dev.usp.train.loop.StepResult;
import dev.usp.train.loop.TrainState;
import dev.usp.train.loop.TrainingLoop;
import dev.usp.train.optim.AdamW;
import dev.usp.train.optim.Ema;
import dev.usp.train.optim.ParamGroups;
import dev.usp.train.distributed.Collectives;
import dev.usp.train.parallel.DataParallel;
import dev.usp.vae.cache.LatentCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Trains a DiT (Gaussian diffusion) or SiT (linear transport) on cached VAE latents, as USP's
 * {@code generation/{DiT,SiT}/train.py}: optional initialisation from an MAE/USP pretraining
 * checkpoint ({@link MaeTransfer#toGenerator}), an EMA that starts as an exact copy and is updated
 * after every optimiser step, AdamW with a constant learning rate, label dropout inside the model,
 * checkpoints holding model, EMA and optimiser, exact resume, and preview grids of EMA samples.
 */
public final class GeneratorTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(GeneratorTrainer.class);

    /** Scores the EMA network at a checkpoint step (e.g. FID of a few thousand samples). */
    @FunctionalInterface
    public interface EmaEvaluator {
        /** The metric of {@code ema} after {@code step} optimiser steps. */
        double evaluate(long step, DiT ema) throws IOException;
    }

    /** A metric computed at every checkpoint; the best checkpoint is kept under its name. */
    public record Evaluation(String name, boolean higherIsBetter, EmaEvaluator evaluator) {
    }

    /** What a run did: its folder, the steps it ran, its last loss and checkpoint, and the MAE transfer (or null). */
    public record Result(Path runDir, long startStep, long endStep, double lastLoss, Path lastCheckpoint,
                         TransferReport transfer) {
    }

    private GeneratorTrainer() {
    }

    /**
     * Runs (or with {@code resume} continues) the training described by {@code config}.
     *
     * @param devices the devices: one, or several for data parallel (batch split evenly, gradients
     *     averaged into the first device's model; label dropout is then drawn per device thread)
     * @param evaluation a metric to compute at each checkpoint, or null
     * @throws IOException on I/O errors, naming the file
     * @throws IllegalArgumentException naming the config key when the data or finetune file is missing
     *     or the latent cache does not fit the model
     * @throws dev.usp.train.loop.NonFiniteTrainingException on a NaN/infinite loss, or a non-finite gradient
     *     without {@code allow_skipped_updates} (the last checkpoint is intact)
     */
    public static Result run(GeneratorTrainConfig config, List<Device> devices, boolean resume,
                             Evaluation evaluation) throws IOException {
        return run(config, devices, Collectives.single(), resume, evaluation);
    }

    /**
     * {@link #run(GeneratorTrainConfig, List, boolean, Evaluation)} as one rank of a job of several
     * processes: {@code batch_size} is the global batch, shared by all ranks and devices; rank 0
     * writes the run, its previews and evaluates the checkpoints.
     */
    public static Result run(GeneratorTrainConfig config, List<Device> devices, Collectives group, boolean resume,
                             Evaluation evaluation) throws IOException {
        // USP's train.py refuses --finetune with --resume; here a resumed run simply skips the transfer
        boolean continuing = resume && config.run().nameOrNull() != null
                && CheckpointStore.findLatest(config.run().dir().resolve(config.run().name())).isPresent();
        boolean transferMae = config.finetune() != null && !continuing;
        checkFiles(config, transferMae);
        int shards = devices.size() * group.env().worldSize();
        if (config.batchSize() % shards != 0) {
            throw new IllegalArgumentException("batch_size " + config.batchSize() + " must be a multiple of the "
                    + shards + " replicas (devices " + devices + " x " + group.env().worldSize() + " process(es))");
        }
        // the cache stays in host memory; LatentBatches moves each batch to the training device
        try (NDManager host = NDManager.newBaseManager(Device.cpu());
             LatentCache cache = LatentCache.open(config.data().train(), host)) {
            checkCache(config, cache);
            Engine.getInstance().setRandomSeed((int) config.seed());
            try (DataParallel<DiT> dp = new DataParallel<>(m -> build(m, config), devices, group);
                 DiT ema = build(NDManager.newBaseManager(devices.get(0)), config)) {
                DiT model = dp.master();
                TransferReport transfer = transferMae ? initFromMae(model, config) : null;
                copyInto(ema, model);
                LOG.info("{} ({}): {} parameters, {} trainable; objective {}, batch {} over {} device(s), lr {}, "
                                + "weight decay {}, EMA decay {}, {} steps ({} per epoch of {} images), init {}",
                        config.model(), model.config(), model.parameterCount(), count(model.trainableParameters()),
                        config.objective(), config.batchSize(), devices.size(), config.learningRate(), config.optim().weightDecay(),
                        config.emaDecay(), config.steps(), cache.size() / config.batchSize(), cache.size(),
                        transferMae ? config.finetune() : continuing ? "the run's checkpoint" : "random");
                return train(config, resume, evaluation, cache, dp, ema, transfer);
            }
        }
    }

    private static Result train(GeneratorTrainConfig config, boolean resume, Evaluation evaluation,
                                LatentCache cache, DataParallel<DiT> dp, DiT ema, TransferReport transfer)
            throws IOException {
        DiT model = dp.master();
        Map<String, Parameter> params = model.trainableParameters();
        try (AdamW opt = new AdamW(params, ParamGroups.single(params, config.optim().weightDecay()),
                config.optim().beta1(), config.optim().beta2(), 1e-8)) {
            TrainState state = ModelState.of(model, opt).with("ema", ema).afterRestore(() -> freeze(ema));
            RunDir run = RunDir.forProcess(config.run().dir(), config.run().nameOrNull(),
                    ConfigLoader.toYaml(config), resume, dp.group().env());
            LOG.info("run folder {}", run.dir());
            double labelDropout = model.config().classDropoutProb();
            Objective objective = config.generator().family() == GeneratorFamily.SIT ? Objective.transport(labelDropout)
                    : Objective.diffusion(config.respacing(), labelDropout);
            Step step = new Step(config, objective, dp, ema, opt,
                    new LatentBatches(cache, config.batchSize(), config.seed()),
                    new Preview(config, ema, cache.manifest().scaleFactor(), run.dir()));
            TrainingLoop.Builder loop = TrainingLoop.builder().setRun(run).setTotalSteps(config.steps())
                    .setSeed(config.seed()).optStepsPerEpoch(cache.size() / config.batchSize())
                    .optLearningRate(s -> config.learningRate()).optLogEvery(config.run().logEvery())
                    .optCheckpointEvery(config.run().checkpointEvery()).optKeepLast(config.run().keepLast())
                    .optResume(resume)
                    .optProcess(dp.group().env())
                    .optAllowSkippedUpdates(config.run().allowSkippedUpdates());
            if (evaluation != null) {
                loop.optBest(evaluation.name(), evaluation.higherIsBetter(),
                        s -> TrainingLoop.Score.of(evaluation.evaluator().evaluate(s, ema)));
            }
            TrainingLoop.Result r = loop.build().run(model.manager(), state, step::run);
            return new Result(run.dir(), r.startStep(), r.endStep(), r.lastLoss(), r.lastCheckpoint(), transfer);
        }
    }

    /** Builds the configured DiT or SiT (official init) in {@code manager}. */
    public static DiT build(NDManager manager, GeneratorTrainConfig config) {
        return config.generator().build(manager);
    }

    /**
     * Loads the MAE encoder of {@code config.finetune()} into {@code model} (USP's {@code --finetune})
     * and logs what was loaded, missing, unexpected and resized.
     *
     * @throws IllegalArgumentException prefixed {@code finetune:} when the transfer loads nothing, is
     *     partial without {@code allow_partial}, or needs a position-table resize without {@code resize_pos_embed}
     */
    public static TransferReport initFromMae(DiT model, GeneratorTrainConfig config) throws IOException {
        try (NDManager scope = model.manager().newSubManager();
             StateDict sd = PretrainedFiles.readModel(config.finetune(), scope)) {
            TransferReport report = MaeTransfer.toGenerator(sd, model, TransferOptions.defaults()
                    .withUsePretrainLayer(config.usePretrainLayer()).withAllowPartial(config.allowPartial())
                    .withResizePosEmbed(config.resizePosEmbed()));
            LOG.info("finetune from {}: {}", config.finetune(), report.summary());
            LOG.info("loaded: {}", report.loaded());
            LOG.info("missing (kept at init): {}", report.missing());
            LOG.info("unexpected (not used): {}", report.unexpected());
            LOG.info("ignored: {}", report.ignored());
            LOG.info("resized: {}", report.resized());
            return report;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("finetune: " + e.getMessage(), e);
        }
    }

    /** Makes {@code ema} an exact copy of {@code model}, outside autograd ({@code requires_grad_(False)}). */
    static void copyInto(DiT ema, DiT model) {
        ema.loadStateDict(model.stateDict(), true);
        freeze(ema);
    }

    private static void freeze(DiT ema) {
        ema.eval();
        for (Parameter p : ema.namedParameters().values()) {
            p.array().setRequiresGradient(false);
        }
    }

    private static void checkFiles(GeneratorTrainConfig config, boolean transferMae) {
        if (config.data().train() == null || !Files.isDirectory(config.data().train())) {
            throw new IllegalArgumentException("data.train: " + config.data().train() + " is not a folder; set it "
                    + "to a cache written by the latent-cache command (--set data.train=DIR)");
        }
        if (transferMae && !Files.isRegularFile(config.finetune())) {
            throw new IllegalArgumentException("finetune: " + config.finetune() + " is not a file; give the USP/MAE "
                    + "pretraining checkpoint with --finetune FILE, or --set finetune=null for random init");
        }
        if (config.vae() != null && !Files.exists(config.vae())) {
            throw new IllegalArgumentException("vae: " + config.vae() + " does not exist (or --set vae=null)");
        }
    }

    private static void checkCache(GeneratorTrainConfig config, LatentCache cache) {
        List<Long> moments = cache.manifest().momentsShape();
        if (moments.get(0) != 2L * config.latentChannels() || moments.get(1) != config.latentSize()
                || moments.get(2) != config.latentSize()) {
            throw new IllegalArgumentException("latent cache " + config.data().train() + " holds moments " + moments
                    + " but the config asks for " + config.latentChannels() + "x" + config.latentSize() + "x"
                    + config.latentSize() + " latents (latent_channels, latent_size)");
        }
        if (config.batchSize() > cache.size()) {
            throw new IllegalArgumentException("batch_size " + config.batchSize() + " is larger than the " + cache.size()
                    + " images of the latent cache " + config.data().train());
        }
    }

    private static long count(Map<String, Parameter> params) {
        return params.values().stream().mapToLong(p -> p.shape().size()).sum();
    }

    /** One optimiser step: batch, data-parallel loss and backward, AdamW, EMA, and a preview grid now and then. */
    private record Step(GeneratorTrainConfig config, Objective objective, DataParallel<DiT> dp, DiT ema, AdamW opt,
                        LatentBatches data, Preview preview) {

        StepResult run(StepContext ctx) throws IOException {
            LatentBatches.Batch b = data.batch(ctx.step(), ctx.manager());
            NDList random = objective.draw(b.latents(), ctx.manager());
            NDArray[] inputs = new NDArray[2 + random.size()];
            inputs[0] = b.latents();
            inputs[1] = b.labels();
            for (int i = 0; i < random.size(); i++) {
                inputs[2 + i] = random.get(i);
            }
            Map<String, DoubleAdder> extras = new ConcurrentHashMap<>();
            double share = 1.0 / dp.globalSize();
            opt.zeroGrad();
            double local = dp.step((replica, shard) -> {
                Objective.Loss l = objective.loss(replica, shard);
                l.extras().forEach((k, v) -> extras.computeIfAbsent(k, x -> new DoubleAdder()).add(share * v.getFloat()));
                return l.loss();
            }, inputs);
            double value = dp.finishStep(local, ctx.manager());
            StepResult result = StepResult.of(value, b.size());
            List<String> keys = List.copyOf(new TreeMap<>(extras).keySet());
            double[] sums = dp.sumOverRanks(keys.stream().mapToDouble(k -> extras.get(k).sum()).toArray(), ctx.manager());
            for (int i = 0; i < keys.size(); i++) {
                result = result.with(keys.get(i), sums[i]);
            }
            if (!ctx.update(opt, value)) {
                return result;   // a non-finite loss stops the loop; the parameters keep their last values
            }
            Ema.update(ema.trainableParameters(), dp.master().trainableParameters(), config.emaDecay());
            long done = ctx.step() + 1;
            if (config.sampleEvery() > 0 && done % config.sampleEvery() == 0 && dp.group().env().isMain()) {
                ctx.image(Preview.TAG, preview.write(done));
            }
            return result;
        }
    }
}
