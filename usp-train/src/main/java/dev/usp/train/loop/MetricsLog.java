package dev.usp.train.loop;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import dev.usp.core.io.AtomicFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code metrics.jsonl}: one JSON object per logged step ({@code {"step":100,"epoch":0,
 * "loss":0.52,"lr":1e-4,"samples_per_s":812.5,...}}), appended and handed to the OS line by line
 * so that a crash loses at most the line being written. Non-finite values are written as null.
 */
public final class MetricsLog implements AutoCloseable {

    private static final Gson GSON = new Gson();

    private final Path file;
    private final FileChannel channel;
    private final OutputStream out;

    private MetricsLog(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
        this.out = Channels.newOutputStream(channel);
    }

    /**
     * Opens the log for appending. Lines for steps after {@code resumeStep} (logged by a run that
     * died after its last checkpoint) and a torn last line are dropped first, so a resumed run
     * continues the log without duplicates.
     *
     * @param resumeStep the step training continues from; 0 for a new run
     */
    public static MetricsLog open(Path file, long resumeStep) throws IOException {
        if (Files.exists(file)) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            StringBuilder kept = new StringBuilder();
            int keptLines = 0;
            for (String line : lines) {
                JsonObject o = parse(line);
                if (o != null && o.has("step") && o.get("step").getAsLong() <= resumeStep) {
                    kept.append(line).append('\n');
                    keptLines++;
                }
            }
            if (keptLines != lines.size()) {
                AtomicFiles.writeString(file, kept.toString());
            }
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        return new MetricsLog(file, ch);
    }

    /** Appends one line: step and epoch first, then {@code values} in their order. */
    public void log(long step, long epoch, Map<String, Double> values) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("step", step);
        o.addProperty("epoch", epoch);
        for (Map.Entry<String, Double> e : values.entrySet()) {
            Double v = e.getValue();
            o.add(e.getKey(), v == null || !Double.isFinite(v) ? JsonNull.INSTANCE : new JsonPrimitive(v));
        }
        out.write((GSON.toJson(o) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Forces the written lines to the disk (done before each checkpoint). */
    public void sync() throws IOException {
        channel.force(false);
    }

    /** The file. */
    public Path file() {
        return file;
    }

    /**
     * Reads a metrics file: one map per complete line, numbers as doubles and null as NaN; a torn
     * or unparsable line is skipped.
     */
    public static List<Map<String, Double>> read(Path file) throws IOException {
        List<Map<String, Double>> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            JsonObject o = parse(line);
            if (o == null) {
                continue;
            }
            Map<String, Double> row = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : o.entrySet()) {
                JsonElement v = e.getValue();
                if (v.isJsonNull()) {
                    row.put(e.getKey(), Double.NaN);
                } else if (v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) {
                    row.put(e.getKey(), v.getAsDouble());
                }
            }
            rows.add(row);
        }
        return rows;
    }

    /** The values of one key over the rows that have it, with the matching steps: {steps, values}. */
    public static double[][] column(List<Map<String, Double>> rows, String key) {
        List<double[]> pts = new ArrayList<>();
        for (Map<String, Double> r : rows) {
            if (r.containsKey(key) && r.containsKey("step")) {
                pts.add(new double[] {r.get("step"), r.get(key)});
            }
        }
        double[][] out = new double[2][pts.size()];
        for (int i = 0; i < pts.size(); i++) {
            out[0][i] = pts.get(i)[0];
            out[1][i] = pts.get(i)[1];
        }
        return out;
    }

    private static JsonObject parse(String line) {
        if (line.isBlank()) {
            return null;
        }
        try {
            JsonElement e = GSON.fromJson(line, JsonElement.class);
            return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
        } catch (JsonParseException e) {
            return null;
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
