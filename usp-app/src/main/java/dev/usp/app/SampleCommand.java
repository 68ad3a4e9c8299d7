package dev.usp.app;

import dev.usp.eval.sample.GeneratorLoader;
import dev.usp.models.generation.GeneratorSpec;
import dev.usp.eval.sample.SampleJob;
import dev.usp.eval.sample.SampleOutputs;
import dev.usp.eval.sample.Sampler;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Devices;
import dev.usp.models.generation.GeneratorFamily;
import dev.usp.models.generation.SamplerSettings;
import dev.usp.models.generation.Integrators;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.weights.VaeFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code usp sample}: class-conditional samples from a DiT/SiT checkpoint as a grid, PNGs and an .npz. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample a DiT (ddpm, ddim) or SiT (ode, sde) checkpoint; sample i uses seed --seed + i.")
public final class SampleCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(SampleCommand.class);

    @Mixin
    private CommonOptions common;

    @Option(names = "--ckpt", required = true, paramLabel = "FILE",
            description = "A training checkpoint of this project, or an official .pt / safetensors file.")
    private Path ckpt;

    @Option(names = "--key", paramLabel = "ENTRY",
            description = "Weights entry: ema, model, or none for a bare state dict. Default: ema, else model, else the whole file.")
    private String key;

    @Option(names = "--model", paramLabel = "NAME",
            description = "Model name (e.g. DiT-XL/2); default: from the checkpoint's config.")
    private String model;

    @Option(names = "--num-classes", defaultValue = "1000", description = "With --model: classes. Default: ${DEFAULT-VALUE}.")
    private int numClasses;

    @Option(names = "--latent-size", defaultValue = "32", description = "With --model: latent side. Default: ${DEFAULT-VALUE}.")
    private int latentSize;

    @Option(names = "--latent-channels", defaultValue = "4", description = "With --model: latent channels. Default: ${DEFAULT-VALUE}.")
    private int latentChannels;

    @Option(names = "--method", description = "ddpm | ddim (DiT), ode | sde (SiT). Default: ddpm for DiT, ode for SiT.")
    private String method;

    @Option(names = "--steps", defaultValue = "250", description = "Respaced DDPM/DDIM steps or ODE/SDE grid points. Default: ${DEFAULT-VALUE}.")
    private int steps;

    @Option(names = "--eta", defaultValue = "0", description = "DDIM eta. Default: ${DEFAULT-VALUE}.")
    private double eta;

    @Option(names = "--solver", defaultValue = "dopri5", description = "ODE solver: dopri5, euler, heun. Default: ${DEFAULT-VALUE}.")
    private String solver;

    @Option(names = "--atol", defaultValue = "1e-6", description = "dopri5 atol. Default: ${DEFAULT-VALUE}.")
    private double atol;

    @Option(names = "--rtol", defaultValue = "1e-3", description = "dopri5 rtol. Default: ${DEFAULT-VALUE}.")
    private double rtol;

    @Option(names = "--max-steps", defaultValue = "" + Integrators.DEFAULT_MAX_STEPS,
            description = "dopri5's limit on attempted steps; it stops with an error beyond. Default: ${DEFAULT-VALUE}.")
    private int maxSteps;

    @Option(names = "--diffusion-form", defaultValue = "sigma", description = "SDE diffusion form. Default: ${DEFAULT-VALUE}.")
    private String diffusionForm;

    @Option(names = "--diffusion-norm", defaultValue = "1.0", description = "SDE diffusion norm. Default: ${DEFAULT-VALUE}.")
    private double diffusionNorm;

    @Option(names = "--last-step-size", defaultValue = "0.04", description = "SDE last (mean) step size. Default: ${DEFAULT-VALUE}.")
    private double lastStepSize;

    @Option(names = "--cfg-scale", defaultValue = "1.0", description = "Classifier-free guidance scale (1: none). Default: ${DEFAULT-VALUE}.")
    private double cfgScale;

    @Option(names = "--cfg-all-channels", description = "Guide every latent channel instead of DiT's first three.")
    private boolean cfgAllChannels;

    @Option(names = "--num-samples", defaultValue = "64", description = "Samples to draw. Default: ${DEFAULT-VALUE}.")
    private int numSamples;

    @Option(names = "--batch-size", defaultValue = "32", description = "Samples per batch. Default: ${DEFAULT-VALUE}.")
    private int batchSize;

    @Option(names = "--labels", split = ",", paramLabel = "Y",
            description = "Class labels to cycle through (e.g. 207,360,387); default: random per sample seed.")
    private List<Integer> labels;

    @Option(names = "--vae", paramLabel = "PATH",
            description = "VAE to decode with: safetensors or torch.save file (.ckpt, .pt), or a diffusers folder.")
    private Path vae;

    @Option(names = "--vae-key", paramLabel = "ENTRY",
            description = "Entry of a torch.save VAE checkpoint holding the weights (e.g. model, state_dict). "
                    + "Default: the file itself, or its single model/state_dict/ema entry.")
    private String vaeKey;

    @Option(names = "--vae-preset", defaultValue = "sd", description = "VAE architecture of a safetensors file. Default: ${DEFAULT-VALUE}.")
    private String vaePreset;

    @Option(names = "--scale-factor",
            description = "Latent scale factor (finite, > 0) to divide by before decoding. Default: the VAE's.")
    private Double scaleFactor;

    @Option(names = "--out", defaultValue = "samples", paramLabel = "DIR", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Option(names = "--grid", defaultValue = "64", description = "Samples in grid.png (0: none). Default: ${DEFAULT-VALUE}.")
    private int grid;

    @Option(names = "--png", description = "Also write every sample as images/NNNNNN.png.")
    private boolean eachPng;

    @Option(names = "--npz", negatable = true, defaultValue = "true",
            description = "Write samples.npz (arr_0 uint8 NHWC). Default: ${DEFAULT-VALUE}.")
    private boolean npz;

    @Override
    public Integer call() throws Exception {
        if (scaleFactor != null && !(scaleFactor > 0 && Double.isFinite(scaleFactor))) {
            throw new IllegalArgumentException("--scale-factor must be a finite number > 0, got " + scaleFactor);
        }
        LOG.info("{}", Devices.describe(common.devices()));
        GeneratorSpec spec = model == null ? null : new GeneratorSpec(model, numClasses, latentSize, latentChannels);
        String entry = key == null ? null : key.equals("none") ? "" : key;
        try (NDManager root = NDManager.newBaseManager(common.devices().get(0))) {
            GeneratorLoader.Loaded loaded = GeneratorLoader.load(ckpt, spec, entry, root);
            String m = method != null ? method : loaded.spec().family() == GeneratorFamily.SIT ? "ode" : "ddpm";
            SamplerSettings settings = new SamplerSettings(m, steps, eta, solver, atol, rtol, maxSteps, diffusionForm,
                    diffusionNorm, lastStepSize, cfgScale, cfgAllChannels);
            if (settings.family() != loaded.spec().family()) {
                throw new IllegalArgumentException("--method " + m + " does not fit " + ckpt + ", a "
                        + loaded.spec().describe() + " (DiT: ddpm, ddim; SiT: ode, sde)");
            }
            AutoencoderKL decoder = vae == null ? null : VaeFiles.load(vae, vaePreset, vaeKey, root);
            double scale = scaleFactor != null ? scaleFactor : decoder != null ? decoder.scaleFactor() : 1.0;
            if (decoder == null) {
                LOG.warn("no --vae: the outputs show the first latent channels, not images");
            }
            int[] ys = labels == null ? new int[0] : labels.stream().mapToInt(Integer::intValue).toArray();
            SampleJob job = new SampleJob(numSamples, batchSize, common.seed(), ys, loaded.spec().numClasses());
            LOG.info("{} [{}]: {}, {}, scale factor {}, into {}", loaded.spec(), loaded.entry(), settings, job, scale, out);
            Sampler sampler = new Sampler(loaded.model(), settings, decoder, scale);
            long t0 = System.nanoTime();
            Path file = new SampleOutputs(out, grid, eachPng, npz).write(sampler, job, b -> {
                int done = b.start() + b.labels().length;
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.err.printf(Locale.ROOT, "\rsampled %d/%d  %.2f images/s", done, numSamples, done / seconds);
            });
            System.err.println();
            System.out.println("samples in " + out + (file != null ? "; npz " + file : ""));
        }
        return 0;
    }
}
