package dev.usp.train.loop;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.usp.core.io.AtomicFiles;
import dev.usp.core.io.UnfinishedOutputs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The {@code checkpoints/} folder of a run: one {@code step-000001000.safetensors} file per saved
 * step, a {@code last} pointer (a text file naming the newest checkpoint), an optional
 * {@code best} pointer (JSON: file, step, metric), and retention.
 *
 * <p>Crash safety: a checkpoint file is written under a temporary name and renamed (so a step
 * file is either absent or complete); only then is {@code last} rewritten, the same way; only
 * then are old files deleted. A kill at any moment leaves {@code last} naming a complete file, and
 * {@link #latest()} trusts nothing: it returns the newest step file whose header verifies.
 *
 * <p>Retention keeps the newest {@code keepLast} step files, every file whose step is a multiple
 * of {@code archiveEvery} (0: none), and the files {@code last} and {@code best} name.
 */
public final class CheckpointStore {

    /** File name of the pointer to the newest checkpoint. */
    public static final String LAST = "last";
    /** File name of the pointer to the best checkpoint. */
    public static final String BEST = "best";

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final Pattern STEP_FILE = Pattern.compile("step-(\\d+)\\.safetensors");

    private final Path dir;
    private final int keepLast;
    private final long archiveEvery;

    /**
     * Opens (creating if needed) a checkpoint folder and deletes temporary files left by a
     * process that died while writing.
     *
     * @param keepLast how many of the newest step files to keep (at least 1)
     * @param archiveEvery keep forever the files whose step is a multiple of this; 0 for none
     */
    public CheckpointStore(Path dir, int keepLast, long archiveEvery) throws IOException {
        this(dir, keepLast, archiveEvery, true);
    }

    /**
     * @param removeLeftovers create the folder and delete temporary files in it: what the one
     *     writer of a run does when it opens its store, never a reader ({@link #findLatest})
     */
    private CheckpointStore(Path dir, int keepLast, long archiveEvery, boolean removeLeftovers) throws IOException {
        if (keepLast < 1) {
            throw new IllegalArgumentException("keepLast must be at least 1, got " + keepLast);
        }
        this.dir = dir;
        this.keepLast = keepLast;
        this.archiveEvery = archiveEvery;
        if (!removeLeftovers) {
            return;
        }
        Files.createDirectories(dir);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp")) {
                    LOG.info("removing {} left by an interrupted write", p);
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /** The file a checkpoint of {@code step} is saved to. */
    public Path fileFor(long step) {
        return dir.resolve(String.format(Locale.ROOT, "step-%09d.safetensors", step));
    }

    /** Writes {@code cp} to its step file, points {@code last} at it, and applies retention. */
    public Path save(Checkpoint cp) throws IOException {
        Path file = fileFor(cp.step());
        cp.write(file);
        AtomicFiles.writeString(dir.resolve(LAST), file.getFileName() + "\n");
        UnfinishedOutputs.keep(file);
        prune();
        return file;
    }

    /**
     * Points {@code best} at the checkpoint of {@code step} (already saved) when {@code metric}
     * beats the recorded best.
     *
     * @return true when it became the best
     */
    public boolean offerBest(long step, double metric, boolean higherIsBetter) throws IOException {
        if (!Double.isFinite(metric)) {
            LOG.warn("best-checkpoint metric at step {} is {}: not considered", step, metric);
            return false;
        }
        OptionalDouble current = bestMetric();
        if (current.isPresent()
                && (higherIsBetter ? metric <= current.getAsDouble() : metric >= current.getAsDouble())) {
            return false;
        }
        JsonObject best = new JsonObject();
        best.addProperty("file", fileFor(step).getFileName().toString());
        best.addProperty("step", step);
        best.addProperty("metric", metric);
        AtomicFiles.writeString(dir.resolve(BEST), new Gson().toJson(best) + "\n");
        prune();
        return true;
    }

    /** The newest complete checkpoint in the folder, if any. */
    public Optional<Path> latest() {
        List<Path> files = stepFiles();
        for (int i = files.size() - 1; i >= 0; i--) {
            try {
                Checkpoint.verify(files.get(i));
                return Optional.of(files.get(i));
            } catch (IOException e) {
                LOG.warn("skipping incomplete checkpoint: {}", e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** The file {@code last} names, if the pointer exists. */
    public Optional<Path> last() throws IOException {
        Path p = dir.resolve(LAST);
        if (!Files.exists(p)) {
            return Optional.empty();
        }
        return Optional.of(dir.resolve(Files.readString(p, StandardCharsets.UTF_8).trim()));
    }

    /** The file {@code best} names, if any. */
    public Optional<Path> best() throws IOException {
        Optional<JsonObject> b = readBest();
        return b.map(o -> dir.resolve(o.get("file").getAsString()));
    }

    /** The metric of the best checkpoint, if any. */
    public OptionalDouble bestMetric() throws IOException {
        Optional<JsonObject> b = readBest();
        return b.isPresent() ? OptionalDouble.of(b.get().get("metric").getAsDouble()) : OptionalDouble.empty();
    }

    /** The step files present, oldest first (complete or not: use {@link #latest()} to resume). */
    public List<Path> stepFiles() {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> STEP_FILE.matcher(p.getFileName().toString()).matches()).forEach(out::add);
        } catch (IOException e) {
            throw new IllegalStateException("cannot list checkpoint folder " + dir + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparingLong(CheckpointStore::stepOf));
        return out;
    }

    /**
     * The newest complete checkpoint under a run folder or its {@code checkpoints/} folder; what
     * {@code --resume} uses. Only reads: a temporary file in the folder may be a live writer's
     * checkpoint in progress (another rank, another process watching the run), never a leftover.
     */
    public static Optional<Path> findLatest(Path runOrCheckpointDir) throws IOException {
        Path dir = Files.isDirectory(runOrCheckpointDir.resolve(RunDir.CHECKPOINTS))
                ? runOrCheckpointDir.resolve(RunDir.CHECKPOINTS) : runOrCheckpointDir;
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        return new CheckpointStore(dir, 1, 0, false).latest();
    }

    private void prune() throws IOException {
        List<Path> files = stepFiles();
        Set<Path> keep = new HashSet<>(files.subList(Math.max(0, files.size() - keepLast), files.size()));
        last().ifPresent(keep::add);
        best().ifPresent(keep::add);
        for (Path f : files) {
            boolean archived = archiveEvery > 0 && stepOf(f) % archiveEvery == 0;
            if (!archived && !keep.contains(f)) {
                Files.deleteIfExists(f);
            }
        }
    }

    private Optional<JsonObject> readBest() throws IOException {
        Path p = dir.resolve(BEST);
        if (!Files.exists(p)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Gson().fromJson(Files.readString(p, StandardCharsets.UTF_8), JsonObject.class));
        } catch (JsonParseException e) {
            throw new IOException(p + ": not a valid best-checkpoint pointer: " + e.getMessage(), e);
        }
    }

    private static long stepOf(Path file) {
        Matcher m = STEP_FILE.matcher(file.getFileName().toString());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a checkpoint step file: " + file);
        }
        return Long.parseLong(m.group(1));
    }
}
