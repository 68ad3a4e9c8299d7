package dev.usp.train.vae;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.data.FashionMnist;
import dev.usp.core.data.Pad;
import dev.usp.train.data.EpochOrder;
import dev.usp.train.loop.MetricsLog;
import dev.usp.train.tensorboard.TensorBoardTags;
import dev.usp.train.loop.ModelState;
import dev.usp.train.loop.RunDir;
import dev.usp.core.engine.Seeds;
import dev.usp.train.loop.StepContext;
import dev.usp.train.loop.StepResult;
import dev.usp.train.loop.TrainState;
import dev.usp.train.loop.TrainingLoop;
import dev.usp.train.optim.AdamW;
import dev.usp.train.optim.GradClip;
import dev.usp.train.optim.Optimizer;
import dev.usp.train.optim.ParamGroups;
import dev.usp.core.io.ImageGrid;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.LatentScale;
import dev.usp.vae.VaeConfig;
import dev.usp.vae.weights.VaeFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains a small KL autoencoder on in-memory images (Fashion-MNIST padded to 32x32):
 * {@link VaeLoss} (reconstruction, L1 or L2, mean over pixels, + klWeight * KL / pixels),
 * Adam(W), through the shared {@link TrainingLoop} (checkpoints, resume, metrics, loss plot). At
 * the end it writes into the run folder a reconstruction grid ({@code reconstructions.png}:
 * originals above their reconstructions), the test PSNR, and the VAE with its estimated latent
 * scale factor as {@code vae.safetensors} + {@code vae.json} ({@link VaeFiles}). The batches are
 * the shared {@link EpochOrder}'s (shuffled epochs, an epoch's last partial batch dropped); the
 * learning rate is its own ({@link #learningRate} says why).
 */
public final class VaeTrainer {

    /** The reconstruction grid written at the end. */
    public static final String GRID = "reconstructions.png";

    private static final Logger LOG = LoggerFactory.getLogger(VaeTrainer.class);

    /**
     * What a run produced.
     *
     * @param run the run folder
     * @param startStep the step training started (or resumed) at
     * @param endStep the step it ended at (below the configured steps when the time budget ran out)
     * @param lastLoss the loss of the last step
     * @param testPsnr PSNR in dB over the evaluated test images (posterior mean decoded)
     * @param scaleFactor the estimated latent scale factor (1 / std of latents)
     * @param trainSeconds wall time of the training steps
     * @param skippedUpdates updates skipped on a non-finite gradient (only with {@code allow_skipped_updates})
     * @param stoppedByBudget true when {@code max_minutes} cut the run before {@code steps}
     */
    public record Result(RunDir run, long startStep, long endStep, double lastLoss, double testPsnr,
                         double scaleFactor, double trainSeconds, long skippedUpdates, boolean stoppedByBudget) {
    }

    private final VaeTrainConfig config;
    private final VaeConfig arch;
    private final long seed;
    private final PrintStream terminal;

    /**
     * A trainer of the architecture named by {@code config.preset()}.
     *
     * @param terminal where the progress bar goes, or null for periodic log lines
     */
    public VaeTrainer(VaeTrainConfig config, long seed, PrintStream terminal) {
        this(config, VaeConfig.preset(config.preset()), seed, terminal);
    }

    /** A trainer of another architecture than a preset (its scale factor is replaced by the estimate). */
    public VaeTrainer(VaeTrainConfig config, VaeConfig architecture, long seed, PrintStream terminal) {
        this.config = config;
        this.arch = architecture;
        this.seed = seed;
        this.terminal = terminal;
    }

    /**
     * Loads Fashion-MNIST (train and test), padded to 32x32, and runs
     * {@link #train(ImageTable, ImageTable, NDManager, boolean)}.
     */
    public Result train(NDManager manager, boolean resume) throws IOException {
        Pad pad = Pad.all(2);
        ImageTable trainSet = ImageTable.of(FashionMnist.load(config.data().dir(), FashionMnist.Split.TRAIN), pad,
                config.data().limit());
        ImageTable testSet = ImageTable.of(FashionMnist.load(config.data().dir(), FashionMnist.Split.TEST), pad,
                config.data().valLimit());
        return train(trainSet, testSet, manager, resume);
    }

    /**
     * Trains on {@code trainSet}, evaluates on {@code testSet}, and writes the run folder's outputs.
     *
     * @param resume continue from the newest checkpoint of the run folder, if any
     */
    public Result train(ImageTable trainSet, ImageTable testSet, NDManager manager, boolean resume) throws IOException {
        if (arch.inChannels() != trainSet.imageShape().get(0)) {
            throw new IllegalArgumentException("the VAE (" + config.preset() + ") takes " + arch.inChannels()
                    + " image channels, the data has " + trainSet.imageShape());
        }
        RunDir run = RunDir.openOrCreate(config.run().dir(), config.run().nameOrNull(), ConfigLoader.toYaml(config),
                resume);
        Engine.getInstance().setRandomSeed(Seeds.intForStep(seed, -1, Seeds.ENGINE));
        try (AutoencoderKL vae = new AutoencoderKL(manager.newSubManager(), arch);
             AdamW opt = new AdamW(vae.trainableParameters(),
                     ParamGroups.single(vae.trainableParameters(), config.optim().weightDecay()),
                     config.optim().beta1(), config.optim().beta2(), 1e-8)) {
            TrainState state = ModelState.of(vae, opt);
            LOG.info("training {} ({} parameters) on {} images {} for {} steps of {}", config.preset(),
                    vae.parameterCount(), trainSet.size(), trainSet.imageShape(), config.steps(), config.batchSize());
            EpochOrder batches = new EpochOrder(trainSet.size(), config.batchSize(), seed);
            long started = System.nanoTime();
            TrainingLoop.Result r = TrainingLoop.builder().setRun(run).setTotalSteps(config.steps()).setSeed(seed)
                    .optStepsPerEpoch(batches.batchesPerEpoch())
                    .optLearningRate(this::learningRate)
                    .optLogEvery(config.run().logEvery()).optCheckpointEvery(config.run().checkpointEvery())
                    .optKeepLast(config.run().keepLast())
                    .optMaxSeconds(config.maxMinutes() * 60).optResume(resume).optProgressTerminal(terminal)
                    .optAllowSkippedUpdates(config.run().allowSkippedUpdates())
                    .build()
                    .run(vae.manager(), state, ctx -> step(vae, opt, trainSet, batches, ctx));
            double seconds = (System.nanoTime() - started) / 1e9;
            vae.eval();
            double psnr = testPsnr(vae, testSet);
            writeGrid(vae, testSet, run);
            double scale = estimateScale(vae, trainSet);
            try (AutoencoderKL scaled = withScale(vae, scale)) {
                VaeFiles.save(scaled, run.file(VaeFiles.WEIGHTS), config.preset());
            }
            long epoch = r.endStep() / batches.batchesPerEpoch();
            try (MetricsLog metrics = MetricsLog.open(run.metrics(), r.endStep(), TensorBoardTags.steps());
                 MetricsLog timing = MetricsLog.open(run.timing(), r.endStep())) {
                Map<String, Double> values = new LinkedHashMap<>();
                values.put("test_psnr", psnr);
                values.put("scale_factor", scale);
                metrics.log(r.endStep(), epoch, values);
                metrics.image("reconstructions", r.endStep(), run.file(GRID));
                timing.log(r.endStep(), epoch, Map.of("train_seconds", seconds));
            }
            LOG.info("step {}: test PSNR {} dB on {} images, scale factor {}; wrote {}", r.endStep(), psnr,
                    testSet.size(), scale, run.file(VaeFiles.WEIGHTS));
            return new Result(run, r.startStep(), r.endStep(), r.lastLoss(), psnr, scale, seconds, r.skippedUpdates(),
                    r.stoppedByBudget());
        }
    }

    /**
     * Linear warm-up to {@code lr} over {@code warmupSteps}, then constant or a half cosine down
     * to {@code minLr} at {@code steps}.
     *
     * <p>Not {@link dev.usp.train.optim.LrSchedule#warmupCosine}, because that gives other numbers,
     * and the quickstart's are kept bit-identical: (1) this warm-up counts the step being taken,
     * {@code lr * (step + 1) / warmupSteps} (step 0 trains at {@code lr / warmupSteps}, step
     * {@code warmupSteps - 1} at {@code lr}), where MAE's {@code lr * epoch / warmupEpochs} starts at 0;
     * (2) the cosine's angle here is {@code PI * ((step - warmup) / span)}, MAE's (its lr_sched.py's
     * {@code math.pi * (epoch - warmup) / span}) is {@code (PI * (epoch - warmup)) / span}, which
     * rounds differently. Even with the best mapping of steps to MAE's epochs ({@code step + 1} in the
     * warm-up, {@code step} after it), 36 of the 200 learning rates of
     * {@code usp train-vae --config configs/fmnist/vae.yaml --set steps=200} and 504 of the default 2,000
     * differ in the last bit (e.g. step 66: 0.0019443763702374811 here, ...813 there), and with them
     * {@code metrics.jsonl} and the trained VAE. Expressing this variant in {@code LrSchedule} would
     * take a second formula with its own rounding order there, a twin of this one.
     */
    double learningRate(long step) {
        if (step < config.optim().warmupSteps()) {
            return config.peakLr() * (step + 1) / config.optim().warmupSteps();
        }
        if (!config.optim().cosine()) {
            return config.peakLr();
        }
        double progress = (double) (step - config.optim().warmupSteps()) / Math.max(1, config.steps() - config.optim().warmupSteps());
        return config.optim().minLr() + (config.peakLr() - config.optim().minLr()) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    private StepResult step(AutoencoderKL vae, Optimizer opt, ImageTable data, EpochOrder batches, StepContext ctx) {
        opt.zeroGrad();
        NDManager m = ctx.manager();
        NDArray x = data.batch(batches.indices(ctx.step()), m);
        double rec;
        double kl;
        double total;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            VaeLoss.Terms loss = VaeLoss.of(config).apply(vae, x);
            gc.backward(loss.total());
            rec = loss.reconstruction().getFloat();
            kl = loss.klPerPixel().getFloat();
            total = loss.total().getFloat();
        }
        double norm = config.gradClip() > 0 ? GradClip.clipGradNorm(vae.trainableParameters(), config.gradClip())
                : GradClip.gradNorm(vae.trainableParameters());
        ctx.update(opt, total, norm);
        return StepResult.of(total, x.getShape().get(0)).with("rec_loss", rec).with("kl_per_pixel", kl)
                .with("grad_norm", norm);
    }

    /** PSNR over all test images, decoding the posterior mean. */
    private double testPsnr(AutoencoderKL vae, ImageTable test) {
        double sum = 0;
        long count = 0;
        for (int start = 0; start < test.size(); start += config.evalBatchSize()) {
            int n = Math.min(config.evalBatchSize(), test.size() - start);
            try (NDManager m = vae.manager().newSubManager()) {
                NDArray x = test.range(start, n, m);
                NDArray rec = vae.decode(vae.encode(x).mean());
                sum += Psnr.squaredErrorSum01(rec, x);
                count += x.getShape().size();
            }
        }
        return Psnr.fromMse(sum / count);
    }

    private void writeGrid(AutoencoderKL vae, ImageTable test, RunDir run) throws IOException {
        int n = Math.min(config.gridImages(), test.size());
        try (NDManager m = vae.manager().newSubManager()) {
            NDArray x = test.range(0, n, m);
            NDArray rec = vae.decode(vae.encode(x).mean()).clip(-1, 1);
            ImageGrid.write(x.concat(rec, 0), n, run.file(GRID));
        }
    }

    /** 1 / std of posterior samples of the first {@code scaleImages} training images. */
    private double estimateScale(AutoencoderKL vae, ImageTable train) {
        int total = Math.min(config.scaleImages(), train.size());
        try (NDManager m = vae.manager().newSubManager()) {
            NDList parts = new NDList();
            for (int start = 0; start < total; start += config.evalBatchSize()) {
                int n = Math.min(config.evalBatchSize(), total - start);
                parts.add(vae.encode(train.range(start, n, m)).sample());
            }
            NDArray z = parts.size() == 1 ? parts.head() : NDArrays.concat(parts, 0);
            return 1.0 / LatentScale.latentStd(z);
        }
    }

    /** A VAE with the trained weights and another scale factor (the config is immutable). */
    private static AutoencoderKL withScale(AutoencoderKL vae, double scale) {
        AutoencoderKL copy = new AutoencoderKL(vae.manager().newSubManager(), vae.config().withScaleFactor(scale));
        copy.loadStateDict(vae.stateDict(), true);
        return copy;
    }
}
