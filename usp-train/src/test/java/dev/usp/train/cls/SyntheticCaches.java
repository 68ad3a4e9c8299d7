package dev.usp.train.cls;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.weights.SafeTensors;
import dev.usp.vae.cache.CacheManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes small latent caches in the {@link dev.usp.vae.cache.LatentCacheWriter} layout with
 * separable classes: each class has a random prototype latent (z, s, s); an image's posterior mean
 * is its class prototype plus small noise, its log-variance -10; the flip entry is the mean
 * mirrored along the width.
 */
public final class SyntheticCaches {

    static final int Z = 4;
    static final int SIDE = 4;

    private SyntheticCaches() {
    }

    /** A cache of {@code n} 4x4x4 latents, label {@code i % classes}, in {@code dir}; prototypes from {@code protoSeed}. */
    public static Path write(Path dir, int n, int classes, long protoSeed, long noiseSeed, double noise) throws IOException {
        return write(dir, n, classes, protoSeed, noiseSeed, noise, SIDE);
    }

    /** As {@link #write(Path, int, int, long, long, double)} with latents of side {@code side}. */
    public static Path write(Path dir, int n, int classes, long protoSeed, long noiseSeed, double noise, int side)
            throws IOException {
        int per = Z * side * side;
        Random protoRng = new Random(protoSeed);
        float[][] protos = new float[classes][per];
        for (float[] p : protos) {
            for (int k = 0; k < per; k++) {
                p[k] = (float) protoRng.nextGaussian();
            }
        }
        Random rng = new Random(noiseSeed);
        float[] plain = new float[n * 2 * per];
        float[] flip = new float[n * 2 * per];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            for (int c = 0; c < Z; c++) {
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        float v = protos[labels[i]][(c * side + y) * side + x] + (float) (noise * rng.nextGaussian());
                        plain[i * 2 * per + (c * side + y) * side + x] = v;
                        flip[i * 2 * per + (c * side + y) * side + (side - 1 - x)] = v;
                    }
                }
            }
            for (int k = 0; k < per; k++) {
                plain[i * 2 * per + per + k] = -10f;
                flip[i * 2 * per + per + k] = -10f;
            }
        }
        Files.createDirectories(dir);
        String shard = "shard-00000.safetensors";
        try (NDManager m = NDManager.newBaseManager()) {
            Shape s = new Shape(n, 2 * Z, side, side);
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("moments", m.create(plain, s));
            tensors.put("moments_flip", m.create(flip, s));
            tensors.put("labels", m.create(labels));
            SafeTensors.write(dir.resolve(shard), tensors, Map.of());
        }
        new CacheManifest(n, n, List.of(1L, 4L * side, 4L * side), List.of(2L * Z, (long) side, (long) side), "F32",
                1.0, "synthetic", List.of(new CacheManifest.Shard(shard, 0, n))).write(dir.resolve(CacheManifest.MANIFEST));
        return dir;
    }
}
