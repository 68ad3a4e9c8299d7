package dev.usp.vae.cache;

import dev.usp.core.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.io.UnfinishedOutputs;
import dev.usp.core.weights.SafeTensors;
import dev.usp.vae.AutoencoderKL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Encodes a dataset once (the official {@code --use_cached}): for every image, the posterior
 * moments (mean ++ clamped logvar) of the image and of its horizontal flip, with the label, in
 * sharded safetensors files ({@code shard-00000.safetensors}: {@code moments}, {@code moments_flip}
 * (n, 2z, h, w), {@code labels} (n) int32). Resumable: shards already on disk are skipped (each is
 * written atomically); the manifest is written last.
 */
public final class LatentCacheWriter {

    private static final Logger LOG = LoggerFactory.getLogger(LatentCacheWriter.class);

    /**
     * Settings of a cache run.
     *
     * @param shardSize images per shard file
     * @param batchSize images encoded at once (each with its flip)
     * @param float16 store the moments as float16 (half the disk and memory, ~1e-3 relative error)
     */
    public record Options(int shardSize, int batchSize, boolean float16) {

        /** Validates. */
        public Options {
            if (shardSize <= 0 || batchSize <= 0) {
                throw new IllegalArgumentException("shard size " + shardSize + " and batch size " + batchSize
                        + " must be positive");
            }
        }

        /** 10,000 images per shard, batches of 64, float32. */
        public static Options defaults() {
            return new Options(10_000, 64, false);
        }
    }

    private LatentCacheWriter() {
    }

    /**
     * Writes (or completes) the cache of {@code source} in {@code dir}.
     *
     * @return the manifest, also written to {@code dir/manifest.json}
     * @throws IllegalArgumentException before any encoding when the images do not fit the VAE
     * @throws IOException when {@code dir} holds a cache made with other settings, or on I/O errors
     */
    public static CacheManifest write(AutoencoderKL vae, LabelledImages source, Path dir, Options options)
            throws IOException {
        Shape chw = source.imageShape();
        vae.checkImages(new Shape(1, chw.get(0), chw.get(1), chw.get(2)));
        int f = vae.config().downsampling();
        CacheManifest spec = new CacheManifest(source.size(), options.shardSize(), List.of(chw.get(0), chw.get(1), chw.get(2)),
                List.of(2L * vae.config().zChannels(), chw.get(1) / f, chw.get(2) / f),
                options.float16() ? "F16" : "F32", vae.scaleFactor(), vae.config().toString(), List.of());
        UnfinishedOutputs.create(dir);
        checkOrWriteSpec(dir.resolve(CacheManifest.SPEC), spec);
        List<CacheManifest.Shard> shards = new ArrayList<>();
        for (int s = 0; s < spec.shardCount(); s++) {
            int start = s * options.shardSize();
            int count = Math.min(options.shardSize(), source.size() - start);
            CacheManifest.Shard shard = new CacheManifest.Shard(String.format(Locale.ROOT, "shard-%05d.safetensors", s),
                    start, count);
            Path file = dir.resolve(shard.file());
            if (Files.isRegularFile(file)) {
                LOG.info("{}: already written, skipped", file);
            } else {
                writeShard(vae, source, file, shard, options);
                UnfinishedOutputs.keep(file);
                LOG.info("{}: {} images ({} of {} shards)", file, count, s + 1, spec.shardCount());
            }
            shards.add(shard);
        }
        CacheManifest manifest = spec.withShards(shards);
        manifest.write(dir.resolve(CacheManifest.MANIFEST));
        return manifest;
    }

    private static void checkOrWriteSpec(Path file, CacheManifest spec) throws IOException {
        if (Files.isRegularFile(file)) {
            CacheManifest old = CacheManifest.read(file);
            if (!old.equals(spec)) {
                throw new IOException(file + ": the cache in this folder was started with other settings ("
                        + old + "); now " + spec + ". Use another folder or delete it.");
            }
        } else {
            spec.write(file);
        }
    }

    private static void writeShard(AutoencoderKL vae, LabelledImages source, Path file, CacheManifest.Shard shard,
                                   Options options) throws IOException {
        Shape chw = source.imageShape();
        try (NDManager m = vae.manager().newSubManager()) {
            NDList plain = new NDList();
            NDList flipped = new NDList();
            int[] labels = new int[shard.count()];
            for (int done = 0; done < shard.count(); done += options.batchSize()) {
                int n = Math.min(options.batchSize(), shard.count() - done);
                LabelledImages.Batch batch = source.read(shard.start() + done, n);
                System.arraycopy(batch.labels(), 0, labels, done, n);
                // The encoder's activations live in a per-batch scope; only the moments stay for the shard.
                try (NDManager step = m.newSubManager()) {
                    NDArray x = HostArrays.floats(step, batch.images(), new Shape(n, chw.get(0), chw.get(1), chw.get(2)));
                    NDArray both = x.concat(x.flip(3), 0);                       // (2n, C, H, W)
                    NDList moments = vae.encode(both).moments().split(2, 0);    // 2 x (n, 2z, h, w)
                    moments.attach(m);
                    plain.add(moments.get(0));
                    flipped.add(moments.get(1));
                }
            }
            DataType type = options.float16() ? DataType.FLOAT16 : DataType.FLOAT32;
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("moments", concat(plain).toType(type, false));
            tensors.put("moments_flip", concat(flipped).toType(type, false));
            tensors.put("labels", HostArrays.ints(m, labels));
            SafeTensors.write(file, tensors, Map.of("start", Integer.toString(shard.start()),
                    "count", Integer.toString(shard.count())));
        }
    }

    private static NDArray concat(NDList parts) {
        return parts.size() == 1 ? parts.head() : NDArrays.concat(parts, 0);
    }
}
