package dev.usp.train.cls;

import dev.usp.core.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.usp.train.data.EpochOrder;
import dev.usp.core.engine.Seeds;
import dev.usp.vae.DiagonalGaussian;
import dev.usp.vae.cache.LatentCache;

import java.util.Random;

/**
 * Classifier training batches from a {@link LatentCache} as a function of (seed, batch index):
 * the epoch order ({@link Seeds#permutation}) and the per-image flip choice (the step's data
 * stream) are drawn exactly as {@link dev.usp.train.data.LatentBatches} draws them; the latent is
 * the posterior mean (official) or a posterior sample (noise from the engine RNG, which the
 * training loop reseeds every step), times the cache's scale factor. Incomplete last batches of
 * an epoch are dropped (official {@code drop_last=True}).
 */
public final class ClsBatches {

    /**
     * The images of one batch: image indices, whether each is flipped, labels, and the rows
     * {@code 2 * image + flip} of a per-(image, flip) table such as pre-computed features.
     */
    public record Selection(int[] images, boolean[] flips, long[] labels, long[] rows) {
    }

    private final LatentCache cache;
    private final EpochOrder order;
    private final int batchSize;
    private final long seed;
    private final LatentInput input;

    /**
     * @throws IllegalArgumentException when the batch size is not between 1 and the number of cached images
     */
    public ClsBatches(LatentCache cache, int batchSize, long seed, LatentInput input) {
        this.order = new EpochOrder(cache.size(), batchSize, seed);
        this.cache = cache;
        this.batchSize = batchSize;
        this.seed = seed;
        this.input = input;
    }

    /** Full batches per epoch. */
    public int batchesPerEpoch() {
        return order.batchesPerEpoch();
    }

    /** The images of batch {@code index} (counted over all epochs). */
    public Selection select(long index) {
        int[] images = order.indices(index);
        Random rng = Seeds.random(seed, index, Seeds.DATA);
        boolean[] flips = new boolean[batchSize];
        long[] labels = new long[batchSize];
        long[] rows = new long[batchSize];
        for (int j = 0; j < batchSize; j++) {
            flips[j] = rng.nextBoolean();
            labels[j] = cache.label(images[j]);
            rows[j] = 2L * images[j] + (flips[j] ? 1 : 0);
        }
        return new Selection(images, flips, labels, rows);
    }

    /** The scaled latents (N, z, h, w) of a selection, in {@code m}. */
    public NDArray latents(Selection s, NDManager m) {
        return latents(cache, s.images(), s.flips(), input, m);
    }

    /**
     * Scaled latents (N, z, h, w) of the given images (flipped where asked) in {@code m}: the
     * posterior mean, or a sample with noise from the engine RNG.
     */
    public static NDArray latents(LatentCache cache, int[] images, boolean[] flips, LatentInput input, NDManager m) {
        NDList moments = new NDList(images.length);
        for (int j = 0; j < images.length; j++) {
            moments.add(cache.moments(images[j], flips[j], m));
        }
        DiagonalGaussian posterior = DiagonalGaussian.fromMoments(NDArrays.stack(moments, 0));   // (N, 2z, h, w)
        NDArray z = input == LatentInput.MEAN ? posterior.mean() : posterior.sample();
        return Scalars.mul(z, cache.manifest().scaleFactor());
    }
}
