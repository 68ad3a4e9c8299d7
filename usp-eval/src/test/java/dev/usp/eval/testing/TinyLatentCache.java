package dev.usp.eval.testing;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;
import dev.usp.vae.cache.LabelledImages;
import dev.usp.vae.cache.LatentCacheWriter;
import dev.usp.vae.weights.VaeFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** 16 labelled 8x8 images (10 classes) encoded by a tiny random VAE into a 4x4x4 latent cache, for command tests. */
public final class TinyLatentCache {

    private TinyLatentCache() {
    }

    /**
     * Writes the cache into {@code dir}.
     *
     * @param vaeFile where to save the VAE that encoded it (for decoding samples), or null
     */
    public static Path write(Path dir, Path vaeFile) throws IOException {
        float[] images = new float[16 * 64];
        int[] labels = new int[16];
        for (int i = 0; i < 16; i++) {
            labels[i] = i % 10;
            for (int k = 0; k < 64; k++) {
                images[i * 64 + k] = (float) Math.sin(0.3 * k * (1 + labels[i]));
            }
        }
        VaeConfig tiny = new VaeConfig(8, List.of(1, 2), 1, Set.of(), Set.of(), 4, true, 1, 1, 8, 4, 1.0);
        try (NDManager m = NDManager.newBaseManager(); AutoencoderKL vae = new AutoencoderKL(m.newSubManager(), tiny)) {
            LatentCacheWriter.write(vae, LabelledImages.of(images, labels, new Shape(1, 8, 8)), dir,
                    new LatentCacheWriter.Options(16, 16, false));
            if (vaeFile != null) {
                VaeFiles.save(vae, vaeFile, null);
            }
        }
        return dir;
    }
}
