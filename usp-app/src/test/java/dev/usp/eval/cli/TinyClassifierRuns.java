package dev.usp.eval.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.weights.SafeTensors;
import dev.usp.models.vit.GlobalPool;
import dev.usp.models.vit.VisionTransformer;
import dev.usp.models.vit.VitModels;
import dev.usp.models.vit.VitOptions;
import dev.usp.vae.cache.CacheManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Tiny inputs for {@code usp accuracy} and {@code usp knn}: latent caches of 4x4x4 posterior means
 * (class c's latents are a class pattern plus noise; the flip entry is not read) and
 * {@code vit_mini_patch16_vae} classifiers built as the trainers build them.
 */
final class TinyClassifierRuns {

    static final int Z = 4;
    static final String VIT = "vit_mini_patch16_vae";

    private TinyClassifierRuns() {
    }

    /** A cache of {@code n} latents (Z, side, side) with labels {@code i % classes}. */
    static Path cache(Path dir, int n, int classes, int side, long seed) throws IOException {
        int per = Z * side * side;
        Random rng = new Random(seed);
        Random patterns = new Random(99);
        float[][] proto = new float[classes][per];
        for (float[] p : proto) {
            for (int k = 0; k < per; k++) {
                p[k] = (float) patterns.nextGaussian();
            }
        }
        float[] moments = new float[n * 2 * per];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            for (int k = 0; k < per; k++) {
                moments[i * 2 * per + k] = proto[labels[i]][k] + (float) (0.8 * rng.nextGaussian());
                moments[i * 2 * per + per + k] = -10f;
            }
        }
        Files.createDirectories(dir);
        try (NDManager m = NDManager.newBaseManager()) {
            Shape s = new Shape(n, 2 * Z, side, side);
            Map<String, NDArray> t = new LinkedHashMap<>();
            t.put("moments", m.create(moments, s));
            t.put("moments_flip", m.create(moments, s));
            t.put("labels", m.create(labels));
            SafeTensors.write(dir.resolve("shard-00000.safetensors"), t, Map.of());
        }
        new CacheManifest(n, n, List.of(1L, 4L * side, 4L * side), List.of(2L * Z, (long) side, (long) side), "F32",
                1.0, "test", List.of(new CacheManifest.Shard("shard-00000.safetensors", 0, n)))
                .write(dir.resolve(CacheManifest.MANIFEST));
        return dir;
    }

    /** The classifier the trainers build for seed {@code seed} (engine seeded first, as ClsSetup does). */
    static VisionTransformer classifier(int classes, GlobalPool pool, boolean probe, long seed, NDManager m) {
        Engine.getInstance().setRandomSeed((int) (seed & 0x7fffffff));
        return VitModels.create(VIT, new VitOptions(4, Z, 2, classes, pool, probe ? 0 : 0.1, 0, probe ? 0.01 : 2e-5,
                probe), m);
    }

    /** A config of {@code type} with dotted overrides, as YAML (what checkpoints carry). */
    static String configYaml(Class<? extends Record> type, String... overrides) {
        return ConfigLoader.toYaml(ConfigLoader.load(type, null, List.of(overrides)));
    }

    /** Fills every parameter whose name starts with {@code prefix} with fresh normal values. */
    static void randomise(VisionTransformer model, String prefix, long seed) {
        Random rng = new Random(seed);
        model.namedParameters().forEach((k, p) -> {
            if (k.startsWith(prefix)) {
                float[] v = new float[(int) p.shape().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) rng.nextGaussian();
                }
                p.array().set(v);
            }
        });
    }
}
