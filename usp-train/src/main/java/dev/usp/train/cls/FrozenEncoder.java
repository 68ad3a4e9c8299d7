package dev.usp.train.cls;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.eval.metrics.FeatureMatrix;
import dev.usp.models.mae.MaeConfig;
import dev.usp.models.mae.MaeModels;
import dev.usp.models.mae.MaeOptions;
import dev.usp.models.transfer.MaeTransfer;
import dev.usp.models.transfer.TransferOptions;
import dev.usp.models.vit.GlobalPool;
import dev.usp.models.vit.VisionTransformer;
import dev.usp.models.vit.VitConfig;
import dev.usp.models.vit.VitModels;
import dev.usp.models.vit.VitOptions;
import dev.usp.train.loop.Checkpoint;
import dev.usp.train.pretrain.PretrainConfig;
import dev.usp.vae.cache.LatentCache;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The ViT encoder of a checkpoint, frozen, as a feature extractor: {@link VisionTransformer#forwardFeatures}
 * (cls token after the final norm for {@code token} pooling, the patch mean after {@code fc_norm}
 * for {@code avg}) of posterior-mean latents, in eval mode.
 *
 * @param model   the classifier whose pooled features are taken (its head is unused)
 * @param source  what it was built from, for reports
 */
public record FrozenEncoder(VisionTransformer model, String source) {

    /**
     * The caches a checkpoint's run used: {@code [train, test]} of a classifier run, {@code [cache, null]}
     * of a pretraining run (entries are null when its config names none).
     */
    public static Path[] runCaches(Checkpoint cp, Path file) {
        if (!cp.hasPart("head") && cp.hasPart("model") && isPretraining(cp, file)) {
            return new Path[] {ClassifierCheckpoints.config(cp, file, PretrainConfig.class).data().train(), null};
        }
        ClsDataConfig data = ClassifierCheckpoints.data(cp, file);
        return new Path[] {data.trainCache(), data.testCache()};
    }

    /**
     * Loads the encoder of a classifier checkpoint (its own pooling) or of a pretraining (MAE)
     * checkpoint (moved into the ViT classifier of the same encoder size, pooled by {@code pool}).
     *
     * @param cache a latent cache with the geometry the model is built for
     */
    public static FrozenEncoder load(Checkpoint cp, Path file, LatentCache cache, GlobalPool pool, NDManager manager)
            throws IOException {
        if (!cp.hasPart("head") && cp.hasPart("model") && isPretraining(cp, file)) {
            PretrainConfig c = ClassifierCheckpoints.config(cp, file, PretrainConfig.class);
            VisionTransformer model = fromMae(cp, c, cache, pool, manager);
            return new FrozenEncoder(model, "pretraining checkpoint " + file + " (" + c.model() + ", pool "
                    + pool.name().toLowerCase(Locale.ROOT) + ")");
        }
        ClassifierCheckpoints.Restored r = ClassifierCheckpoints.restore(cp, file, cache, manager);
        return new FrozenEncoder(r.model(), r.kind().name().toLowerCase(Locale.ROOT) + " checkpoint " + file + " (pool "
                + r.model().config().pool().name().toLowerCase(Locale.ROOT) + ")");
    }

    private static boolean isPretraining(Checkpoint cp, Path file) {
        try {
            ClassifierCheckpoints.config(cp, file, PretrainConfig.class);
            return true;
        } catch (IllegalArgumentException notPretraining) {
            return false;
        }
    }

    /** The ViT size whose encoder (width, depth, heads) is the MAE's, with the MAE's patch on the cache's latents. */
    private static VisionTransformer fromMae(Checkpoint cp, PretrainConfig c, LatentCache cache, GlobalPool pool,
                                             NDManager manager) {
        MaeConfig mae = MaeModels.config(c.model(), new MaeOptions(c.latentSize(), c.latentChannels(), c.patchSize(),
                false, false, c.maskRatio()));
        List<Long> moments = cache.manifest().momentsShape();      // (2z, s, s)
        VitOptions opts = new VitOptions(moments.get(1).intValue(), (int) (moments.get(0) / 2), mae.patchSize(), 1,
                pool, 0, 0, 0.02, false);
        for (String name : VitModels.names()) {
            VitConfig v = VitModels.config(name, opts);
            if (v.embedDim() == mae.embedDim() && v.depth() == mae.depth() && v.heads() == mae.heads()) {
                VisionTransformer model = VitModels.create(name, opts, manager);
                MaeTransfer.toClassifier(cp.part("model"), model, TransferOptions.defaults());
                model.eval();
                return model;
            }
        }
        throw new IllegalArgumentException("no ViT classifier size has the encoder of MAE '" + c.model() + "' ("
                + mae.embedDim() + "/" + mae.depth() + "/" + mae.heads() + "); known: " + VitModels.names());
    }

    /** Pooled features (N, D) of every image of a cache (posterior means, unflipped), in index order. */
    public FeatureMatrix features(LatentCache cache, int batchSize) {
        int n = cache.size();
        long d = model.config().embedDim();
        float[] out = new float[(int) (n * d)];
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            int[] idx = IntStream.range(from, to).toArray();
            try (NDManager m = model.manager().newSubManager()) {
                NDArray f = model.forwardFeatures(cache.meanLatents(idx, m));   // (B, D)
                System.arraycopy(f.toFloatArray(), 0, out, (int) (from * d), (int) ((to - from) * d));
            }
        }
        return new FeatureMatrix(n, (int) d, out);
    }

    /** The labels of every image of a cache, in index order. */
    public static long[] labels(LatentCache cache) {
        long[] out = new long[cache.size()];
        Arrays.setAll(out, cache::label);
        return out;
    }
}
