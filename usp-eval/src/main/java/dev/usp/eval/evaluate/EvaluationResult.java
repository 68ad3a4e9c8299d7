package dev.usp.eval.evaluate;

import com.google.gson.GsonBuilder;
import dev.usp.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The metrics of one sample set against one reference, under the feature net's names
 * ({@link MetricNames}), with what they were computed from.
 *
 * @param features     the feature net ({@code inception} or {@code fmnist})
 * @param featureFile  the feature net's weight file
 * @param samples      where the samples came from
 * @param sampleCount  number of samples
 * @param reference    where the reference came from
 * @param metrics      metric name -> value, in report order
 * @param notes        what was not computed and why, and how values relate to published ones
 */
public record EvaluationResult(String features, String featureFile, String samples, int sampleCount,
                               String reference, Map<String, Double> metrics, List<String> notes) {

    /** Copies the map and list. */
    public EvaluationResult {
        metrics = new LinkedHashMap<>(metrics);
        notes = List.copyOf(notes);
    }

    /** One metric by its report name. */
    public double metric(String name) {
        Double v = metrics.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no metric '" + name + "' (have " + metrics.keySet() + ")");
        }
        return v;
    }

    /** A plain-text table: one line per metric, then the notes. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "samples   %s (%d images)%n", samples, sampleCount));
        sb.append(String.format(Locale.ROOT, "reference %s%n", reference));
        sb.append(String.format(Locale.ROOT, "features  %s (%s)%n", features, featureFile));
        int width = metrics.keySet().stream().mapToInt(String::length).max().orElse(0);
        metrics.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  %-" + width + "s  %.4f%n", k, v)));
        notes.forEach(n -> sb.append("note: ").append(n).append(System.lineSeparator()));
        return sb.toString();
    }

    /** Writes this result as pretty-printed JSON (atomically). */
    public void writeJson(Path file) throws IOException {
        String json = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(this);
        AtomicFiles.writeString(file, json + "\n");
    }
}
