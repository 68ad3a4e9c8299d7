package dev.usp.train.loop;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import dev.usp.core.io.AtomicFiles;
import dev.usp.train.tensorboard.EventFile;
import dev.usp.train.tensorboard.TensorBoardTags;

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
import java.util.stream.Stream;

/**
 * {@code metrics.jsonl}: one JSON object per logged step ({@code {"step":100,"epoch":0,
 * "loss":0.52,"lr":1e-4,"samples_per_s":812.5,...}}), appended and handed to the OS line by line
 * so that a crash loses at most the line being written. Non-finite values are written as null.
 *
 * <p>Opened with {@link TensorBoardTags}, it also writes every value as a TensorBoard scalar into
 * an event file beside the log ({@link EventFile}), and takes image grids ({@link #image}): the one
 * path through which every trainer's metrics reach both files.
 */
public final class MetricsLog implements AutoCloseable {

    private static final Gson GSON = new Gson();

    private final Path file;
    private final FileChannel channel;
    private final OutputStream out;
    private final TensorBoardTags tags;
    private final EventFile events;

    private MetricsLog(Path file, FileChannel channel, TensorBoardTags tags, EventFile events) {
        this.file = file;
        this.channel = channel;
        this.out = channel == null ? OutputStream.nullOutputStream() : Channels.newOutputStream(channel);
        this.tags = tags;
        this.events = events;
    }

    /**
     * Opens the log for appending. Lines for steps after {@code resumeStep} (logged by a run that
     * died after its last checkpoint) and a torn last line are dropped first, so a resumed run
     * continues the log without duplicates.
     *
     * @param resumeStep the step training continues from; 0 for a new run
     */
    public static MetricsLog open(Path file, long resumeStep) throws IOException {
        return open(file, resumeStep, null, null);
    }

    /**
     * Opens the log as {@link #open(Path, long)} does and a new TensorBoard event file in its
     * folder. After a resume ({@code resumeStep > 0}, or a restart from step 0 beside earlier event
     * files) the event file starts with a session-start event at {@link TensorBoardTags#resumeFrom},
     * so TensorBoard drops the values the dead run logged after its checkpoint, as the log itself
     * does.
     */
    public static MetricsLog open(Path file, long resumeStep, TensorBoardTags tags) throws IOException {
        EventFile events = EventFile.create(file.toAbsolutePath().getParent());
        try {
            return open(file, resumeStep, tags, events);
        } catch (IOException | RuntimeException e) {
            events.close();
            throw e;
        }
    }

    /**
     * {@link #open(Path, long, TensorBoardTags)} with a given event file ({@code events} null
     * for none; {@code tags} then unused), for tests that fix its clock.
     */
    public static MetricsLog open(Path file, long resumeStep, TensorBoardTags tags, EventFile events)
            throws IOException {
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
        if (events != null && (resumeStep > 0 || hasEarlierEvents(events))) {
            events.sessionStart(tags.resumeFrom(resumeStep));
        }
        return new MetricsLog(file, ch, tags, events);
    }

    /** Whether the folder of {@code events} holds other event files (a run restarted from step 0 left them). */
    private static boolean hasEarlierEvents(EventFile events) throws IOException {
        try (Stream<Path> files = Files.list(events.file().getParent())) {
            return files.anyMatch(f -> f.getFileName().toString().startsWith(EventFile.PREFIX) && !f.equals(events.file()));
        }
    }

    /**
     * Appends one line: step and epoch first, then {@code values} in their order; with an event
     * file, then one scalar per value (non-finite ones as they are, null ones left out).
     */
    public void log(long step, long epoch, Map<String, Double> values) throws IOException {
        JsonObject o = new JsonObject();
        o.addProperty("step", step);
        o.addProperty("epoch", epoch);
        for (Map.Entry<String, Double> e : values.entrySet()) {
            Double v = e.getValue();
            o.add(e.getKey(), v == null || !Double.isFinite(v) ? JsonNull.INSTANCE : new JsonPrimitive(v));
        }
        out.write((GSON.toJson(o) + "\n").getBytes(StandardCharsets.UTF_8));
        if (events != null) {
            for (Map.Entry<String, Double> e : values.entrySet()) {
                if (e.getValue() != null) {
                    events.scalar(tags.tag(e.getKey()), tags.x(e.getKey(), step), e.getValue().floatValue());
                }
            }
        }
    }

    /**
     * Adds a PNG the run wrote (a sample or reconstruction grid) to the event file as an image
     * under {@code key}'s tag; without an event file it does nothing.
     */
    public void image(String key, long step, Path png) throws IOException {
        if (events != null) {
            events.image(tags.tag(key), tags.x(key, step), Files.readAllBytes(png));
        }
    }

    /**
     * A log that writes nothing: what the ranks other than 0 of a multi-process job keep, since
     * rank 0 writes the job's metrics.
     */
    static MetricsLog discard() {
        return new MetricsLog(null, null, TensorBoardTags.steps(), null);
    }

    /** Forces the written lines (and events) to the disk (done before each checkpoint). */
    public void sync() throws IOException {
        if (channel == null) {
            return;
        }
        channel.force(false);
        if (events != null) {
            events.sync();
        }
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
        try (EventFile e = events) {
            out.close();
        }
    }
}
