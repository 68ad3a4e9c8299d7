package dev.usp.train.dit;

import dev.usp.vae.LatentImages;
import dev.usp.models.generation.GeneratorFamily;
import dev.usp.models.generation.SamplerSettings;
import dev.usp.models.generation.LatentSampler;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.models.dit.DiT;
import dev.usp.core.io.ImageGrid;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.weights.VaeFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Preview grids of EMA samples during training ({@code samples/step-NNNNNNN.png} in the run
 * folder): sample i has label i mod numClasses and seed i, so grids of different steps compare
 * image by image. DiT samples with DDPM over {@code sample_steps} respaced steps, SiT with a Heun
 * ODE over {@code sample_steps} points. Latents are decoded by the configured VAE (divided by the
 * cache's scale factor); without one the first latent channels are shown.
 */
final class Preview {

    /** The TensorBoard tag of the grids. */
    static final String TAG = "samples";

    private static final Logger LOG = LoggerFactory.getLogger(Preview.class);

    private final GeneratorTrainConfig config;
    private final DiT ema;
    private final double scaleFactor;
    private final Path dir;

    Preview(GeneratorTrainConfig config, DiT ema, double scaleFactor, Path runDir) {
        this.config = config;
        this.ema = ema;
        this.scaleFactor = scaleFactor;
        this.dir = runDir.resolve("samples");
    }

    /** Samples, decodes and writes the grid of step {@code step}; returns its file. */
    Path write(long step) throws IOException {
        int n = config.sampleCount();
        int[] labels = new int[n];
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % config.numClasses();
            seeds[i] = i;
        }
        SamplerSettings settings = config.generator().family() == GeneratorFamily.SIT ? SamplerSettings.ode("heun", config.sampleSteps())
                : SamplerSettings.ddpm(config.sampleSteps());
        Files.createDirectories(dir);
        Path png = dir.resolve(String.format(Locale.ROOT, "step-%07d.png", step));
        try (NDManager m = ema.manager().newSubManager()) {
            NDArray latents = LatentSampler.sample(ema, settings, labels, seeds, m);
            ImageGrid.write(toImages(latents, m), (int) Math.ceil(Math.sqrt(n)), png);
        }
        LOG.info("step {}: wrote {} EMA samples to {}", step, n, png);
        return png;
    }

    private NDArray toImages(NDArray latents, NDManager m) throws IOException {
        if (config.vae() == null) {
            return LatentImages.decode(null, latents, scaleFactor);
        }
        try (AutoencoderKL vae = VaeFiles.load(config.vae(), config.vaePreset(), m)) {
            return LatentImages.decode(vae, latents, scaleFactor);
        }
    }
}
