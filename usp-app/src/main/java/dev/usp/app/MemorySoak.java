package dev.usp.app;

import dev.usp.train.reliability.MemorySample;
import dev.usp.train.reliability.SoakVerdict;
import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.config.ConfigLoader;
import dev.usp.train.dit.GeneratorTrainConfig;
import dev.usp.train.dit.GeneratorTrainer;
import dev.usp.train.data.LatentBatches;
import dev.usp.train.loop.TrainingLoop;
import dev.usp.train.pretrain.PretrainConfig;
import dev.usp.train.pretrain.Pretrainer;
import dev.usp.vae.cache.LatentCache;
import dev.usp.train.report.LinePlot;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;
import dev.usp.vae.cache.LabelledImages;
import dev.usp.vae.cache.LatentCacheWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * The memory soak of issue 8: trains through a real trainer on synthetic latents and samples this
 * process's RSS and used heap at step 0 and after every checkpoint. {@code --stage generator}
 * (default): a DiT/SiT through {@link GeneratorTrainer#run} (forward, backward, AdamW, EMA,
 * metrics, checkpoints); {@code --stage pretrain}: an MAE through {@link Pretrainer#run} (masking,
 * forward, backward, AdamW, warm-up + cosine, metrics, checkpoints). Writes {@code soak.csv}
 * (step,rss_mb,heap_mb) and {@code soak.png} into the output folder and exits 0 when the RSS grew
 * less than the limit from the warm-up step to the end, 2 otherwise.
 */
@Command(name = "memory-soak", mixinStandardHelpOptions = true,
        description = "Memory soak: N real training steps (DiT/SiT or MAE pretraining) on synthetic latents; RSS growth "
                + "after warm-up must stay under a limit.")
public final class MemorySoak implements Callable<Integer> {

    @Option(names = "--steps", defaultValue = "5000", description = "Training steps. Default: ${DEFAULT-VALUE}.")
    private long steps;

    @Option(names = "--every", defaultValue = "100",
            description = "Steps between samples (each one also saves a checkpoint). Default: ${DEFAULT-VALUE}.")
    private long every;

    @Option(names = "--warmup", defaultValue = "500", description = "Warm-up steps. Default: ${DEFAULT-VALUE}.")
    private long warmup;

    @Option(names = "--stage", defaultValue = "generator",
            description = "What trains: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
    private Stage stage;

    @Option(names = "--model",
            description = "Model: a DiT/SiT size (generator; default DiT-M/2) or an MAE name (pretrain; default "
                    + "vit_mini_patch_vae, the quickstart's).")
    private String model;

    @Option(names = "--batch", defaultValue = "8", description = "Batch size. Default: ${DEFAULT-VALUE}.")
    private int batch;

    @Option(names = "--latent-size", defaultValue = "8", description = "Latent side. Default: ${DEFAULT-VALUE}.")
    private int latentSize;

    @Option(names = "--max-growth", defaultValue = "5",
            description = "Allowed RSS growth after warm-up, percent. Default: ${DEFAULT-VALUE}.")
    private double maxGrowth;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (emptied parts: run/).")
    private Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Run seed. Default: ${DEFAULT-VALUE}.")
    private long seed;

    private static final int CHANNELS = 4;
    /** The metric name of the RSS samples in the run's {@code metrics.jsonl}. */
    private static final String RSS = "rss_mb";

    /** The trainer a soak runs. */
    enum Stage {
        /** DiT/SiT training ({@link GeneratorTrainer}). */
        GENERATOR("DiT-M/2"),
        /** MAE pretraining ({@link Pretrainer}). */
        PRETRAIN("vit_mini_patch_vae");

        private final String defaultModel;

        Stage(String defaultModel) {
            this.defaultModel = defaultModel;
        }
    }

    /** Runs the soak and exits with its status (0 pass, 2 fail, 1 error). */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line {@link #main} executes: enum values in any case, an error exits 1. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new MemorySoak()).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + ex);
            return 1;
        });
        return cl;
    }

    @Override
    public Integer call() throws IOException {
        Files.createDirectories(out);
        Engine.getInstance().setRandomSeed((int) seed);
        Path cache = writeCache(out.resolve("latents"), Math.max(4 * batch, 64));
        String name = model != null ? model : stage.defaultModel;
        List<MemorySample> samples = new ArrayList<>();
        samples.add(MemorySample.now(0));
        System.out.println("step,rss_mb,heap_mb");
        System.out.println(samples.get(0).csv());
        TrainingLoop.Evaluator probe = step -> {
            MemorySample s = MemorySample.now(step);
            samples.add(s);
            System.out.println(s.csv());
            return TrainingLoop.Score.of(s.rssMb());
        };
        switch (stage) {
            case GENERATOR -> trainGenerator(name, cache, probe);
            case PRETRAIN -> pretrain(name, cache, probe);
        }
        String title = stage.name().toLowerCase(Locale.ROOT) + " " + name + ", batch " + batch;
        writeCsv(out.resolve("soak.csv"), samples);
        writePlot(out.resolve("soak.png"), title, samples);
        SoakVerdict verdict = SoakVerdict.of(samples, warmup, maxGrowth);
        System.out.println(title + ", " + steps + " steps: " + verdict.summary());
        return verdict.passed() ? 0 : 2;
    }

    /** {@code steps} DiT/SiT steps, a checkpoint (and an RSS sample) every {@code every}. */
    private void trainGenerator(String name, Path cache, TrainingLoop.Evaluator probe) throws IOException {
        GeneratorTrainConfig config = ConfigLoader.load(GeneratorTrainConfig.class, null, List.of(
                "model=" + name, "num_classes=10", "latent_size=" + latentSize, "latent_channels=" + CHANNELS,
                "data.train=" + cache, "batch_size=" + batch, "steps=" + steps, "run.checkpoint_every=" + every,
                "run.log_every=" + every, "sample_every=0", "run.dir=" + out, "run.name=run", "seed=" + seed));
        GeneratorTrainer.run(config, List.of(Device.cpu()), false,
                new GeneratorTrainer.Evaluation(RSS, false, (step, ema) -> probe.evaluate(step).value()));
    }

    /**
     * {@code steps} MAE pretraining steps (patch 2, the official recipe otherwise: mask 0.75,
     * normalised-pixel loss, AdamW 0.9/0.95, warm-up over the soak's warm-up steps then cosine),
     * a checkpoint (and an RSS sample) every {@code every}.
     */
    private void pretrain(String name, Path cache, TrainingLoop.Evaluator probe) throws IOException {
        try (NDManager host = NDManager.newBaseManager(); LatentCache latents = LatentCache.open(cache, host)) {
            LatentBatches source = new LatentBatches(latents, batch, seed);
            double perEpoch = source.batchesPerEpoch();
            PretrainConfig config = ConfigLoader.load(PretrainConfig.class, null, List.of(
                    "model=" + name, "latent_size=" + latentSize, "latent_channels=" + CHANNELS, "patch_size=2",
                    "data.train=" + cache, "batch_size=" + batch, "epochs=" + steps / perEpoch,
                    "optim.warmup_epochs=" + warmup / perEpoch, "run.dir=" + out, "run.name=run",
                    "run.log_every=" + every, "run.checkpoint_every=" + every, "seed=" + seed));
            Pretrainer.Result r = Pretrainer.run(config, seed, false, source, List.of(Device.cpu()),
                    new TrainingLoop.Best(RSS, false, probe));
            if (r.steps() != steps) {
                throw new IllegalStateException("pretraining ran " + r.steps() + " steps, not " + steps);
            }
        }
    }

    /** A latent cache of {@code n} random images encoded by a random-weight VAE with downsampling 2. */
    private Path writeCache(Path dir, int n) throws IOException {
        int side = 2 * latentSize;
        float[] images = new float[n * side * side];
        int[] labels = new int[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
            for (int k = 0; k < side * side; k++) {
                images[i * side * side + k] = (float) (2 * r.nextDouble() - 1);
            }
        }
        VaeConfig vae = new VaeConfig(8, List.of(1, 2), 1, Set.of(), Set.of(), CHANNELS, true, 1, 1, side, 4, 1.0);
        try (NDManager m = NDManager.newBaseManager(); AutoencoderKL enc = new AutoencoderKL(m.newSubManager(), vae)) {
            LatentCacheWriter.write(enc, LabelledImages.of(images, labels, new Shape(1, side, side)), dir,
                    new LatentCacheWriter.Options(n, Math.min(n, 16), false));
        }
        return dir;
    }

    private static void writeCsv(Path file, List<MemorySample> samples) throws IOException {
        StringBuilder sb = new StringBuilder("step,rss_mb,heap_mb\n");
        samples.forEach(s -> sb.append(s.csv()).append('\n'));
        Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    }

    private static void writePlot(Path png, String title, List<MemorySample> samples) throws IOException {
        double[] x = samples.stream().mapToDouble(MemorySample::step).toArray();
        new LinePlot("memory soak: " + title, "step", "MB")
                .add("RSS", x, samples.stream().mapToDouble(MemorySample::rssMb).toArray())
                .add("used heap", x, samples.stream().mapToDouble(MemorySample::heapMb).toArray())
                .write(png);
    }
}
