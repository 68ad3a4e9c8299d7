package dev.usp.train.cls;

import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import dev.usp.core.io.AtomicFiles;
import dev.usp.eval.metrics.Accuracy;
import dev.usp.train.loop.Checkpoint;
import dev.usp.vae.cache.LatentCache;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Top-1/top-5 accuracy of a {@code usp finetune-cls} or {@code usp linprobe} checkpoint on a latent
 * cache, through the trainers' own evaluation (posterior means of unflipped images, as during training).
 *
 * @param checkpoint the checkpoint file
 * @param kind       {@code FINETUNE} or {@code LINPROBE}
 * @param step       optimiser steps the checkpoint was saved after
 * @param testCache  the evaluated cache
 * @param images     images evaluated
 * @param top1       top-1 accuracy in percent
 * @param top5       top-5 accuracy in percent (top-K when there are K < 5 classes)
 * @param loss       mean cross-entropy
 */
public record ClassifierAccuracy(String checkpoint, String kind, long step, String testCache, long images,
                                 double top1, double top5, double loss) {

    /**
     * Evaluates a checkpoint.
     *
     * @param testCache the cache to evaluate, or null for the test cache named in the checkpoint's config
     * @param batchSize images per batch, or 0 for the config's evaluation batch
     */
    public static ClassifierAccuracy evaluate(Path checkpointFile, Path testCache, int batchSize, NDManager parent)
            throws IOException {
        try (NDManager m = parent.newSubManager(); Checkpoint cp = Checkpoint.load(checkpointFile, m)) {
            ClsDataConfig data = ClassifierCheckpoints.data(cp, checkpointFile);
            Path cacheDir = testCache != null ? testCache : data.testCache();
            try (LatentCache cache = LatentCache.open(cacheDir, m)) {
                ClassifierCheckpoints.Restored r = ClassifierCheckpoints.restore(cp, checkpointFile, cache, m);
                Accuracy a = r.evaluate(cache, batchSize > 0 ? batchSize : data.evalBatchSize());
                return new ClassifierAccuracy(checkpointFile.toString(), r.kind().name(), cp.step(), cacheDir.toString(),
                        a.count(), a.top1(), a.top5(), a.loss());
            }
        }
    }

    /** One line for the console. */
    public String summary() {
        return String.format(Locale.ROOT, "top-1 %.2f%%  top-5 %.2f%%  loss %.4f  on %d images of %s (%s checkpoint,"
                + " step %d: %s)", top1, top5, loss, images, testCache, kind.toLowerCase(Locale.ROOT), step, checkpoint);
    }

    /** Writes this result as pretty-printed JSON (atomically). */
    public void writeJson(Path file) throws IOException {
        AtomicFiles.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(this) + "\n");
    }
}
