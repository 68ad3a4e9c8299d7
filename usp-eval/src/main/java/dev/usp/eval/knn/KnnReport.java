package dev.usp.eval.knn;

import com.google.gson.GsonBuilder;
import dev.usp.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A kNN evaluation of frozen features, as printed and written by {@code usp knn}.
 *
 * @param encoder     what the features came from
 * @param trainCache  the memory bank's cache
 * @param testCache   the queries' cache
 * @param trainImages memory-bank size
 * @param featureDim  feature dimension
 * @param classes     number of classes
 * @param result      the accuracy, k and temperature
 */
public record KnnReport(String encoder, String trainCache, String testCache, int trainImages, int featureDim,
                        int classes, WeightedKnn.Result result) {

    /** One line for the console. */
    public String summary() {
        return String.format(Locale.ROOT, "kNN top-1 %.2f%%  top-5 %.2f%%  (k %d, T %.3g, %d queries of %s against %d"
                        + " images of %s, %d-d features of %s)", result.top1(), result.top5(), result.k(),
                result.temperature(), result.queries(), testCache, trainImages, trainCache, featureDim, encoder);
    }

    /** Writes this report as pretty-printed JSON (atomically). */
    public void writeJson(Path file) throws IOException {
        AtomicFiles.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(this) + "\n");
    }
}
