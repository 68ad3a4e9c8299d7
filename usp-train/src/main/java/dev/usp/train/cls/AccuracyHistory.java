package dev.usp.train.cls;

import dev.usp.eval.metrics.Accuracy;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.usp.train.report.LinePlot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The evaluations of a classifier run, one JSON line per evaluation in {@code accuracy.jsonl}
 * (step, epoch, top1, top5, loss), kept across resumes (a step evaluated twice keeps its last
 * line), and drawn as {@code accuracy.png} (top-1 and top-5 against the step).
 */
public final class AccuracyHistory {

    /** The evaluation log of a run folder. */
    public static final String FILE = "accuracy.jsonl";
    /** The accuracy plot of a run folder. */
    public static final String PLOT = "accuracy.png";

    /** One evaluation. */
    public record Entry(long step, double epoch, Accuracy accuracy) {
    }

    private static final Gson GSON = new Gson();

    private final Path file;
    private final TreeMap<Long, Entry> entries = new TreeMap<>();

    private AccuracyHistory(Path file) {
        this.file = file;
    }

    /** Opens (or starts) the log {@code dir/accuracy.jsonl}, reading the lines already there. */
    public static AccuracyHistory open(Path dir) throws IOException {
        AccuracyHistory h = new AccuracyHistory(dir.resolve(FILE));
        if (Files.isRegularFile(h.file)) {
            for (String line : Files.readAllLines(h.file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject o = GSON.fromJson(line, JsonObject.class);
                Accuracy a = new Accuracy(o.get("top1").getAsDouble(), o.get("top5").getAsDouble(),
                        o.get("loss").getAsDouble(), o.get("count").getAsLong());
                long step = o.get("step").getAsLong();
                h.entries.put(step, new Entry(step, o.get("epoch").getAsDouble(), a));
            }
        }
        return h;
    }

    /** Records an evaluation and appends it to the file. */
    public void add(long step, double epoch, Accuracy a) throws IOException {
        entries.put(step, new Entry(step, epoch, a));
        JsonObject o = new JsonObject();
        o.addProperty("step", step);
        o.addProperty("epoch", epoch);
        o.addProperty("top1", a.top1());
        o.addProperty("top5", a.top5());
        o.addProperty("loss", a.loss());
        o.addProperty("count", a.count());
        Files.writeString(file, GSON.toJson(o) + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The evaluations in step order. */
    public List<Entry> entries() {
        return new ArrayList<>(entries.values());
    }

    /** The evaluation with the highest top-1 (the earliest on ties), or null when there is none. */
    public Entry best() {
        Entry best = null;
        for (Entry e : entries.values()) {
            if (best == null || e.accuracy().top1() > best.accuracy().top1()) {
                best = e;
            }
        }
        return best;
    }

    /** The last evaluation, or null. */
    public Entry last() {
        return entries.isEmpty() ? null : entries.lastEntry().getValue();
    }

    /** Draws top-1 and top-5 against the step into {@code png}. */
    public void plot(Path png, String title) throws IOException {
        List<Entry> list = entries();
        double[] x = new double[list.size()];
        double[] top1 = new double[list.size()];
        double[] top5 = new double[list.size()];
        for (int i = 0; i < list.size(); i++) {
            x[i] = list.get(i).step();
            top1[i] = list.get(i).accuracy().top1();
            top5[i] = list.get(i).accuracy().top5();
        }
        new LinePlot(title, "step", "accuracy (%)").add("top-1", x, top1).add("top-5", x, top5).write(png);
    }
}
