package dev.usp.vae.cache;

import dev.usp.core.engine.NoAutograd;
import dev.usp.core.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.vae.DiagonalGaussian;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Reads a complete latent cache into memory and serves training batches as the official
 * {@code --use_cached} loader does: for each image, the moments of the image or of its flip with
 * probability 0.5, then a fresh posterior sample, times the scale factor.
 */
@NoAutograd("reads cached latents: training input data, never part of a graph")
public final class LatentCache implements AutoCloseable {

    /** Scaled latents (N, z, h, w) in float32 and their labels. */
    public record Batch(NDArray latents, int[] labels) {
    }

    private final CacheManifest manifest;
    private final NDManager manager;
    private final NDArray moments;   // (2 * images, 2z, h, w): image i at 2i, its flip at 2i + 1
    private final int[] labels;

    private LatentCache(CacheManifest manifest, NDManager manager, NDArray moments, int[] labels) {
        this.manifest = manifest;
        this.manager = manager;
        this.moments = moments;
        this.labels = labels;
    }

    /**
     * Opens the cache in {@code dir}; its arrays live in a sub-manager of {@code manager}.
     *
     * @throws IOException naming the folder when the manifest is missing (an unfinished cache: run
     *     the writer again to complete it) or a shard does not match it
     */
    public static LatentCache open(Path dir, NDManager manager) throws IOException {
        Path manifestFile = dir.resolve(CacheManifest.MANIFEST);
        if (!Files.isRegularFile(manifestFile)) {
            throw new IOException(dir + ": no " + CacheManifest.MANIFEST + "; the cache is unfinished or absent"
                    + " (run the writer again to complete it)");
        }
        CacheManifest manifest = CacheManifest.read(manifestFile);
        NDManager own = manager.newSubManager();
        try {
            NDList pairs = new NDList();
            int[] labels = new int[manifest.images()];
            for (CacheManifest.Shard shard : manifest.shards()) {
                Path file = dir.resolve(shard.file());
                try (StateDict sd = SafeTensors.read(file, own)) {
                    NDArray plain = sd.get("moments");
                    NDArray flip = sd.get("moments_flip");
                    int[] shardLabels = sd.get("labels").toIntArray();
                    Shape expected = new Shape(shard.count(), manifest.momentsShape().get(0),
                            manifest.momentsShape().get(1), manifest.momentsShape().get(2));
                    if (!plain.getShape().equals(expected) || !flip.getShape().equals(expected)
                            || shardLabels.length != shard.count()) {
                        throw new IOException(file + ": moments " + plain.getShape() + ", flips " + flip.getShape()
                                + ", " + shardLabels.length + " labels; the manifest expects " + expected);
                    }
                    System.arraycopy(shardLabels, 0, labels, shard.start(), shard.count());
                    NDArray pair = plain.stack(flip, 1);        // (n, 2, 2z, h, w)
                    pair.attach(own);
                    pairs.add(pair);
                }
            }
            NDArray all = pairs.size() == 1 ? pairs.head() : NDArrays.concat(pairs, 0);
            Shape m = all.getShape();
            NDArray flat = all.reshape(2 * m.get(0), m.get(2), m.get(3), m.get(4));
            return new LatentCache(manifest, own, flat, labels);
        } catch (IOException | RuntimeException e) {
            own.close();
            throw e;
        }
    }

    /** The manifest. */
    public CacheManifest manifest() {
        return manifest;
    }

    /** Number of images. */
    public int size() {
        return labels.length;
    }

    /** The label of image {@code i}. */
    public int label(int i) {
        return labels[i];
    }

    /** The stored moments (2z, h, w) of image {@code i} or of its flip, as float32 in {@code m}. */
    public NDArray moments(int i, boolean flipped, NDManager m) {
        NDArray one = moments.get(2L * i + (flipped ? 1 : 0));
        one.attach(m);
        return one.toType(DataType.FLOAT32, false);
    }

    /**
     * A training batch: for each index the image or its flip (p = 0.5 each, from {@code rng}), a
     * posterior sample (noise from the engine RNG) times the scale factor.
     */
    public Batch sample(int[] indices, Random rng, NDManager m) {
        long[] rows = new long[indices.length];
        int[] batchLabels = new int[indices.length];
        for (int j = 0; j < indices.length; j++) {
            int i = indices[j];
            if (i < 0 || i >= labels.length) {
                throw new IndexOutOfBoundsException("image " + i + " of a cache of " + labels.length);
            }
            rows[j] = 2L * i + (rng.nextBoolean() ? 1 : 0);
            batchLabels[j] = labels[i];
        }
        NDArray picked = moments.get(new NDIndex("{}", HostArrays.longs(m, rows)));   // (N, 2z, h, w), stored type
        picked.attach(m);
        NDArray latents = DiagonalGaussian.fromMoments(picked.toType(DataType.FLOAT32, false)).sample()
                .mul(manifest.scaleFactor());
        return new Batch(latents, batchLabels);
    }

    /**
     * Deterministic latents for evaluation: the posterior mean of each (unflipped) image times the
     * scale factor, (N, z, h, w) float32 in {@code m}.
     */
    public NDArray meanLatents(int[] indices, NDManager m) {
        long[] rows = new long[indices.length];
        for (int j = 0; j < indices.length; j++) {
            if (indices[j] < 0 || indices[j] >= labels.length) {
                throw new IndexOutOfBoundsException("image " + indices[j] + " of a cache of " + labels.length);
            }
            rows[j] = 2L * indices[j];
        }
        NDArray picked = moments.get(new NDIndex("{}", HostArrays.longs(m, rows)));
        picked.attach(m);
        return DiagonalGaussian.fromMoments(picked.toType(DataType.FLOAT32, false)).mean()
                .mul(manifest.scaleFactor());
    }

    /** Releases the cached arrays. */
    @Override
    public void close() {
        manager.close();
    }
}
