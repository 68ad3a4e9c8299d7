package dev.usp.train.dit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.config.DataConfig;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.config.RunConfig;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;
import dev.usp.vae.cache.LabelledImages;
import dev.usp.vae.cache.LatentCacheWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** A 64-image latent cache (4x4x4, 4 classes: 4 tokens of patch 2, for speed) written through a tiny random VAE, and configs over it. */
final class TinyLatents {

    static final int IMAGES = 64;
    static final int CLASSES = 4;

    private TinyLatents() {
    }

    /** Writes the cache into {@code dir}: class k images are noisy diagonal stripes of width k + 1. */
    static Path write(Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(7);
        int side = 8;
        float[] images = new float[IMAGES * side * side];
        int[] labels = new int[IMAGES];
        Random r = new Random(3);
        for (int i = 0; i < IMAGES; i++) {
            labels[i] = i % CLASSES;
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    float stripe = ((x + y) / (labels[i] + 1)) % 2 == 0 ? 0.8f : -0.8f;
                    images[(i * side + y) * side + x] = stripe + 0.1f * (float) r.nextGaussian();
                }
            }
        }
        VaeConfig config = new VaeConfig(8, List.of(1, 2), 1, Set.of(), Set.of(), 4, true, 1, 1, side, 4, 0.5);
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = new AutoencoderKL(m.newSubManager(), config)) {
            LatentCacheWriter.write(vae, LabelledImages.of(images, labels, new Shape(1, side, side)), dir,
                    new LatentCacheWriter.Options(IMAGES, 32, false));
        }
        return dir;
    }

    /** A tiny run over the cache: T/2 model, batch 16, no previews, a metrics line per step. */
    static GeneratorTrainConfig config(Path cache, Path runRoot, String model, long steps, double lr) {
        return new GeneratorTrainConfig(model, null, CLASSES, 4, 4, 0.1, new DataConfig("cache", cache, null,
                "fmnist", null, 0, 0), 16, steps, new OptimConfig("adamw", lr, 0, 0, 0.0, 0.9, 0.999, 0, 0,
                "constant"), 0.99, "", null, -1, false, false, 0, 4, 5, null, "sd", new RunConfig(runRoot, "run", 1,
                0, 2, false), 11);
    }
}
