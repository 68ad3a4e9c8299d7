package dev.usp.train.data;

import dev.usp.core.engine.HostArrays;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Seeds;
import dev.usp.vae.cache.LatentCache;

import java.util.Arrays;

/**
 * Training batches of VAE latents from a {@link LatentCache}, as a pure function of
 * (seed, step): the epoch's shuffled order comes from {@link Seeds#permutation}, the flip choice
 * from the step's data stream, the posterior noise from the engine RNG (which the training loop
 * reseeds every step). So a resumed run sees exactly the batches an uninterrupted one would.
 */
public final class LatentBatches implements LatentSource {

    /** Scaled latents (N, z, h, w) and their labels (N) as int64. */
    public record Batch(NDArray latents, NDArray labels, int size) {
    }

    private final LatentCache cache;
    private final EpochOrder order;
    private final int batchSize;
    private final long seed;

    /**
     * Creates the batch source; incomplete last batches of an epoch are dropped.
     *
     * @throws IllegalArgumentException when the batch size exceeds the number of cached images
     */
    public LatentBatches(LatentCache cache, int batchSize, long seed) {
        this.order = new EpochOrder(cache.size(), batchSize, seed);
        this.cache = cache;
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** Full batches per epoch. */
    @Override
    public int batchesPerEpoch() {
        return order.batchesPerEpoch();
    }

    /** The batch size. */
    @Override
    public int batchSize() {
        return batchSize;
    }

    /** The cache the batches come from. */
    public LatentCache cache() {
        return cache;
    }

    /** The batch of global step {@code step}, created in {@code m}. */
    @Override
    public Batch batch(long step, NDManager m) {
        int[] indices = order.indices(step);
        long[] labels;
        NDArray latents;
        // The cache lives in host memory: sample there, then move the batch to m's device.
        try (NDManager host = NDManager.newBaseManager(Device.cpu())) {
            LatentCache.Batch b = cache.sample(indices, Seeds.random(seed, step, Seeds.DATA), host);
            labels = Arrays.stream(b.labels()).asLongStream().toArray();
            latents = b.latents().toDevice(m.getDevice(), true);
            latents.attach(m);
        }
        return new Batch(latents, HostArrays.longs(m, labels), batchSize);
    }
}
