package dev.usp.app.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.data.FashionMnist;
import dev.usp.core.data.Pad;
import dev.usp.core.data.ToChannels;
import dev.usp.core.data.Transform;
import dev.usp.eval.fdnet.FdFmnist;
import dev.usp.eval.fdnet.FdNetConfig;
import dev.usp.train.fdnet.FdNetTrainer;
import dev.usp.eval.fdnet.FdNetWeights;
import dev.usp.eval.fdnet.FmnistScores;
import dev.usp.eval.metrics.FidStatistics;
import dev.usp.eval.sample.SampleJob;
import dev.usp.eval.sample.Sampler;
import dev.usp.models.dit.DiT;
import dev.usp.train.cls.ClassifierFinetune;
import dev.usp.train.cls.ClsResult;
import dev.usp.train.cls.FinetuneConfig;
import dev.usp.train.cls.LinearProbe;
import dev.usp.train.cls.LinprobeConfig;
import dev.usp.train.dit.GeneratorTrainConfig;
import dev.usp.train.dit.GeneratorTrainer;
import dev.usp.models.generation.GeneratorFamily;
import dev.usp.models.generation.SamplerSettings;
import dev.usp.train.pretrain.PretrainConfig;
import dev.usp.train.pretrain.Pretrainer;
import dev.usp.train.vae.VaeTrainConfig;
import dev.usp.train.vae.VaeTrainer;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.cache.CacheManifest;
import dev.usp.vae.cache.DatasetImages;
import dev.usp.vae.cache.LatentCacheWriter;
import dev.usp.vae.weights.VaeFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * USP in miniature on Fashion-MNIST, one stage after another, all in one run folder:
 * a small VAE and its latent caches, the FD-FMNIST feature net, masked latent pretraining, then
 * the same generator trained twice (from the USP encoder and from random init, same seed, batch
 * and steps) with FD-FMNIST along the way, and linear probe plus fine-tune from both inits.
 * {@link QuickstartReport} turns the {@link Outcome} into {@code report.md} with plots.
 */
public final class FmnistPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(FmnistPipeline.class);

    /** One FD-FMNIST measurement of a generator's EMA. */
    public record FdPoint(long step, double fd, double is) {
    }

    /** One generator run: its folder, its FD curve and how it was initialised. */
    public record GeneratorRun(String init, Path runDir, List<FdPoint> fd, double lastLoss, String transfer) {
    }

    /** Everything the report needs, with the seconds each stage took and what the numbers rest on. */
    public record Outcome(Path runDir, QuickstartConfig config, double vaePsnr, double vaeScale, double fdnetAccuracy,
                          Path pretrainCheckpoint, double pretrainLoss, GeneratorRun usp, GeneratorRun random,
                          ClsResult probeUsp, ClsResult probeRandom, ClsResult finetuneUsp, ClsResult finetuneRandom,
                          List<String> stageTimes, RunHealth health) {
    }

    private final QuickstartConfig cfg;
    private final Path run;
    private final Path dataDir;
    private final long seed;
    private final Device device;
    private final List<String> stageTimes = new ArrayList<>();
    private final List<String> budgetCuts = new ArrayList<>();

    /**
     * @param run the run folder (created)
     * @param dataDir the Fashion-MNIST IDX folder, or null for the Debian default
     */
    public FmnistPipeline(QuickstartConfig cfg, Path run, Path dataDir, long seed, Device device) {
        this.cfg = cfg;
        this.run = run;
        this.dataDir = dataDir;
        this.seed = seed;
        this.device = device;
    }

    /** Runs every stage and returns what they produced. */
    public Outcome run() throws IOException {
        requireFile("reuse_vae", cfg.reuseVae());
        requireFile("reuse_fdnet", cfg.reuseFdnet());
        requireFile("reuse_pretrain", cfg.reusePretrain());
        Files.createDirectories(run);
        long t = System.nanoTime();
        VaeStage vae = trainVae();
        t = lap("VAE", t);
        Path trainCache = run.resolve("latents/train");
        Path testCache = run.resolve("latents/test");
        encode(vae.file, FashionMnist.Split.TRAIN, cfg.encodeTrainLimit(), trainCache);
        encode(vae.file, FashionMnist.Split.TEST, cfg.encodeTestLimit(), testCache);
        t = lap("latent caches", t);
        FdnetStage fdnet = trainFdnet();
        t = lap("FD-FMNIST net", t);
        Pretrainer.Result pre = pretrain(trainCache);
        t = lap("USP pretraining", t);
        GeneratorRun usp;
        GeneratorRun random;
        try (FdFmnist fd = FdFmnist.load(fdnet.weights, device)) {
            FidStatistics reference = fd.referenceStatistics(dataDir, FashionMnist.Split.TEST,
                    run.resolve("fdnet-reference-test.npz"));
            usp = trainGenerator("usp", pre.checkpoint(), trainCache, vae.file, fd, reference);
            t = lap("generator from USP", t);
            random = trainGenerator("random", null, trainCache, vae.file, fd, reference);
            t = lap("generator from random init", t);
        }
        ClsResult probeUsp = linprobe("usp", pre.checkpoint(), trainCache, testCache);
        ClsResult probeRandom = linprobe("random", null, trainCache, testCache);
        t = lap("linear probes", t);
        ClsResult ftUsp = finetune("usp", pre.checkpoint(), trainCache, testCache);
        ClsResult ftRandom = finetune("random", null, trainCache, testCache);
        lap("fine-tuning", t);
        RunHealth health = RunHealth.of(run, Arrays.asList(cfg.reuseVae(), cfg.reuseFdnet(), cfg.reusePretrain()),
                budgetCuts);
        return new Outcome(run, cfg, vae.psnr, vae.scale, fdnet.accuracy, pre.checkpoint(), pre.lastLoss(), usp, random,
                probeUsp, probeRandom, ftUsp, ftRandom, List.copyOf(stageTimes), health);
    }

    private record VaeStage(Path file, double psnr, double scale) {
    }

    private VaeStage trainVae() throws IOException {
        if (cfg.reuseVae() != null) {
            LOG.info("reusing the VAE {}", cfg.reuseVae());
            try (NDManager m = NDManager.newBaseManager(device);
                 AutoencoderKL vae = VaeFiles.load(cfg.reuseVae(), m)) {
                return new VaeStage(cfg.reuseVae(), Double.NaN, vae.scaleFactor());
            }
        }
        VaeTrainConfig vc = ConfigLoader.load(VaeTrainConfig.class, cfg.configs().resolve("vae.yaml"),
                with(cfg.vae(), "run.dir=" + run, "run.name=vae", "data.dir=" + nullable(dataDir), "seed=" + seed));
        try (NDManager m = NDManager.newBaseManager(device)) {
            VaeTrainer.Result r = new VaeTrainer(vc, vc.seed(), null).train(m, false);
            if (r.stoppedByBudget()) {
                budgetCuts.add(String.format(java.util.Locale.ROOT, "VAE (max_minutes %s: step %d of %d)",
                        vc.maxMinutes(), r.endStep(), vc.steps()));
            }
            return new VaeStage(r.run().file(VaeFiles.WEIGHTS), r.testPsnr(), r.scaleFactor());
        }
    }

    private void encode(Path vaeFile, FashionMnist.Split split, int limit, Path out) throws IOException {
        try (NDManager m = NDManager.newBaseManager(device);
             AutoencoderKL vae = VaeFiles.load(vaeFile, m)) {
            vae.eval();
            FashionMnist data = FashionMnist.load(dataDir, split);
            DatasetImages source = new DatasetImages(data,
                    Transform.compose(Pad.all(2), new ToChannels(vae.config().inChannels())), limit);
            CacheManifest manifest = LatentCacheWriter.write(vae, source, out, LatentCacheWriter.Options.defaults());
            LOG.info("latent cache {}: {} images", out, manifest.images());
        }
    }

    private Pretrainer.Result pretrain(Path trainCache) throws IOException {
        if (cfg.reusePretrain() != null) {
            LOG.info("reusing the USP pretraining checkpoint {}", cfg.reusePretrain());
            return new Pretrainer.Result(cfg.reusePretrain().getParent(), cfg.reusePretrain(), 0, Double.NaN, Double.NaN);
        }
        PretrainConfig pc = ConfigLoader.load(PretrainConfig.class, cfg.configs().resolve("pretrain.yaml"),
                with(cfg.pretrain(), "data.train=" + trainCache, "run.dir=" + run, "run.name=pretrain",
                        "seed=" + seed));
        return Pretrainer.run(pc, pc.seed(), false, List.of(device));
    }

    private record FdnetStage(Path weights, double accuracy) {
    }

    private FdnetStage trainFdnet() throws IOException {
        if (cfg.reuseFdnet() != null) {
            LOG.info("reusing the FD-FMNIST net {}", cfg.reuseFdnet());
            return new FdnetStage(cfg.reuseFdnet(), Double.NaN);
        }
        FdNetConfig fc = ConfigLoader.load(FdNetConfig.class, null, with(cfg.fdnet(), "seed=" + seed));
        Path out = run.resolve("fdnet");
        double accuracy = 100 * FdNetTrainer.trainAndSave(fc, dataDir, fc.seed(), device, out).testAccuracy();
        return new FdnetStage(out.resolve(FdNetWeights.FILE), accuracy);
    }

    private GeneratorRun trainGenerator(String init, Path pretrained, Path cache, Path vaeFile, FdFmnist fd,
                                        FidStatistics reference) throws IOException {
        String yaml = cfg.generator().equals("sit") ? "sit.yaml" : "dit.yaml";
        GeneratorTrainConfig gc = ConfigLoader.load(GeneratorTrainConfig.class, cfg.configs().resolve(yaml),
                with(cfg.generation(), "data.train=" + cache, "run.dir=" + run, "run.name=" + cfg.generator()
                        + "-" + init, "vae=" + vaeFile, "finetune=" + nullable(pretrained), "seed=" + seed));
        List<FdPoint> curve = new ArrayList<>();
        // Deterministic samplers: both inits start from the same noises, so the curves differ by the model only.
        SamplerSettings settings = gc.generator().family() == GeneratorFamily.SIT ? SamplerSettings.ode("heun", cfg.fdSampleSteps())
                : SamplerSettings.ddim(cfg.fdSampleSteps(), 0);
        try (NDManager m = NDManager.newBaseManager(device);
             AutoencoderKL vae = VaeFiles.load(vaeFile, m)) {
            vae.eval();
            GeneratorTrainer.Evaluation eval = new GeneratorTrainer.Evaluation("fd_fmnist", false, (step, ema) -> {
                FmnistScores s = score(ema, settings, vae, fd, reference);
                curve.add(new FdPoint(step, s.fd(), s.is()));
                LOG.info("{} init, step {}: {}", init, step, s);
                return s.fd();
            });
            GeneratorTrainer.Result r = GeneratorTrainer.run(gc, List.of(device), false, eval);
            String transfer = r.transfer() == null ? "random init" : r.transfer().summary();
            return new GeneratorRun(init, r.runDir(), curve, r.lastLoss(), transfer);
        }
    }

    /** FD-FMNIST and IS-FMNIST of {@code fdSamples} class-balanced samples with fixed seeds. */
    private FmnistScores score(DiT ema, SamplerSettings settings, AutoencoderKL vae, FdFmnist fd,
                               FidStatistics reference) throws IOException {
        boolean wasTraining = ema.isTraining();
        ema.eval();
        int classes = ema.config().numClasses();
        int[] labels = new int[classes];
        for (int i = 0; i < classes; i++) {
            labels[i] = i;
        }
        FdFmnist.Accumulator acc = fd.accumulator();
        new Sampler(ema, settings, vae, vae.scaleFactor())
                .run(new SampleJob(cfg.fdSamples(), 250, 1_000_000L, labels, classes), b -> acc.add(b.images()));
        ema.train(wasTraining);
        return FdFmnist.score(acc.result(), reference);
    }

    private ClsResult linprobe(String init, Path pretrained, Path train, Path test) throws IOException {
        LinprobeConfig lc = ConfigLoader.load(LinprobeConfig.class, cfg.configs().resolve("linprobe.yaml"),
                with(cfg.linprobe(), "finetune=" + nullable(pretrained), "data.train=" + train,
                        "data.val=" + test, "run.dir=" + run, "run.name=linprobe-" + init, "seed=" + seed));
        return LinearProbe.run(lc, lc.seed(), List.of(device), false);
    }

    private ClsResult finetune(String init, Path pretrained, Path train, Path test) throws IOException {
        FinetuneConfig fc = ConfigLoader.load(FinetuneConfig.class, cfg.configs().resolve("finetune.yaml"),
                with(cfg.finetune(), "finetune=" + nullable(pretrained), "data.train=" + train,
                        "data.val=" + test, "run.dir=" + run, "run.name=finetune-" + init, "seed=" + seed));
        return ClassifierFinetune.run(fc, fc.seed(), List.of(device), false);
    }

    /** The stage's overrides from the quickstart config, then the pipeline's own (which win). */
    private static List<String> with(List<String> stage, String... pipeline) {
        List<String> out = new ArrayList<>(stage);
        out.addAll(List.of(pipeline));
        return out;
    }

    /** Fails before any stage runs when a file to reuse is missing, rather than minutes into the run. */
    private static void requireFile(String key, Path file) throws IOException {
        if (file != null && !Files.isRegularFile(file)) {
            throw new IOException(key + ": no such file " + file.toAbsolutePath());
        }
    }

    private static String nullable(Path p) {
        return p == null ? "null" : p.toString();
    }

    private long lap(String stage, long start) {
        long now = System.nanoTime();
        String line = String.format(java.util.Locale.ROOT, "%s: %.1f s", stage, (now - start) / 1e9);
        stageTimes.add(line);
        LOG.info("stage done, {}", line);
        return now;
    }
}
