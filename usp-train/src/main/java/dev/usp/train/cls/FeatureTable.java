package dev.usp.train.cls;

import dev.usp.core.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.usp.models.vit.VisionTransformer;
import dev.usp.vae.cache.LatentCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;

/**
 * The frozen encoder's pooled features of every image of a cache, computed once. With flips, row
 * {@code 2 i + flip} holds image {@code i} (as {@link ClsBatches.Selection#rows()} indexes);
 * without, row {@code i} holds the unflipped image (for evaluation). With {@link LatentInput#MEAN}
 * these are exactly the features a per-step forward pass computes; with {@link LatentInput#SAMPLE}
 * each (image, flip) gets one posterior sample for the whole run.
 */
public final class FeatureTable implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FeatureTable.class);

    private final NDManager manager;
    private final NDArray features;   // (2N, D)

    private FeatureTable(NDManager manager, NDArray features) {
        this.manager = manager;
        this.features = features;
    }

    /**
     * Runs {@code model.forwardFeatures} in eval mode (training mode restored after) over the
     * cache in batches of {@code batchSize} images (each with its flip when {@code withFlips});
     * the table lives in a sub-manager of {@code parent}.
     */
    public static FeatureTable compute(VisionTransformer model, LatentCache cache, LatentInput input, int batchSize,
                                       boolean withFlips, NDManager parent) {
        int views = withFlips ? 2 : 1;
        boolean wasTraining = model.isTraining();
        model.eval();
        NDManager own = parent.newSubManager();
        long t0 = System.nanoTime();
        try {
            NDList chunks = new NDList();
            for (int start = 0; start < cache.size(); start += batchSize) {
                int n = Math.min(batchSize, cache.size() - start);
                int[] images = new int[views * n];
                boolean[] flips = new boolean[views * n];
                for (int j = 0; j < views * n; j++) {
                    images[j] = start + j / views;
                    flips[j] = j % views == 1;
                }
                try (NDManager m = model.manager().newSubManager()) {
                    NDArray x = ClsBatches.latents(cache, images, flips, input, m);     // (views n, z, h, w)
                    NDArray f = model.forwardFeatures(x).stopGradient();                // (views n, D)
                    f.attach(own);
                    chunks.add(f);
                }
            }
            NDArray all = chunks.size() == 1 ? chunks.head() : NDArrays.concat(chunks, 0);
            LOG.info("pre-computed {} features of width {} ({} images{}, {} latents) in {} s",
                    all.getShape().get(0), all.getShape().get(1), cache.size(),
                    withFlips ? " and their flips" : "", input,
                    String.format("%.1f", (System.nanoTime() - t0) / 1e9));
            return new FeatureTable(own, all);
        } catch (RuntimeException e) {
            own.close();
            throw e;
        } finally {
            model.train(wasTraining);
        }
    }

    /** The features (N, D) of the given rows, as a copy in {@code m}. */
    public NDArray rows(long[] rows, NDManager m) {
        NDArray picked = features.get(new NDIndex("{}", HostArrays.longs(m, rows)));
        picked.attach(m);
        return picked;
    }

    /** Number of rows (images, or 2 x images with flips). */
    public long size() {
        return features.getShape().get(0);
    }

    @Override
    public String toString() {
        return "FeatureTable" + Arrays.toString(features.getShape().getShape());
    }

    /** Frees the table. */
    @Override
    public void close() {
        manager.close();
    }
}
