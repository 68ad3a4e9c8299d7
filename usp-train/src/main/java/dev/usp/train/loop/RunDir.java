package dev.usp.train.loop;

import dev.usp.core.io.AtomicFiles;
import dev.usp.core.io.UnfinishedOutputs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * A run folder, {@code runs/<name>/}: {@code config.yaml} (the resolved config, YAML or JSON),
 * {@code metrics.jsonl}, {@code checkpoints/}, and the plots and image grids written at the end.
 * A folder this process creates stays {@link UnfinishedOutputs unfinished} until its first
 * checkpoint, so that a command that fails before it leaves nothing behind.
 */
public final class RunDir {

    /** The resolved config file (JSON is valid YAML, so either text fits). */
    public static final String CONFIG = "config.yaml";
    /** The metrics log, one JSON object per line: what the run computes, the same on every machine. */
    public static final String METRICS = "metrics.jsonl";
    /** Throughput and elapsed time beside the metrics, one JSON object per line: the machine's speed. */
    public static final String TIMING = "timing.jsonl";
    /** The checkpoint folder. */
    public static final String CHECKPOINTS = "checkpoints";
    /** The loss-curve plot written at the end of a run. */
    public static final String LOSS_PLOT = "loss.png";

    private static final Logger LOG = LoggerFactory.getLogger(RunDir.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path dir;
    private final String config;

    private RunDir(Path dir, String config) {
        this.dir = dir;
        this.config = config;
    }

    /**
     * Creates {@code root/<name>} (or {@code root/<timestamp>} when name is null or blank) and
     * writes the config into it.
     *
     * @throws IOException when the folder already holds checkpoints: resume it with
     *     {@link #open(Path)} or choose another name
     */
    public static RunDir create(Path root, String name, String configText) throws IOException {
        Path dir;
        if (name == null || name.isBlank()) {
            String stamp = LocalDateTime.now().format(STAMP);
            dir = root.resolve(stamp);
            for (int i = 1; Files.exists(dir); i++) {
                dir = root.resolve(stamp + "-" + i);
            }
        } else {
            dir = root.resolve(name);
        }
        if (CheckpointStore.findLatest(dir).isPresent()) {
            throw new IOException("run folder " + dir + " already has checkpoints: resume it or choose another name");
        }
        UnfinishedOutputs.create(dir);
        Files.createDirectories(dir.resolve(CHECKPOINTS));
        String text = configText == null ? "" : configText;
        AtomicFiles.writeString(dir.resolve(CONFIG), text);
        return new RunDir(dir, text);
    }

    /**
     * Opens an existing run folder (for {@code --resume}) and reads its config.
     *
     * @throws IOException naming the folder when it is not a run folder
     */
    public static RunDir open(Path dir) throws IOException {
        Path cfg = dir.resolve(CONFIG);
        if (!Files.isRegularFile(cfg)) {
            throw new IOException(dir + " is not a run folder: it has no " + CONFIG);
        }
        Files.createDirectories(dir.resolve(CHECKPOINTS));
        return new RunDir(dir, Files.readString(cfg, StandardCharsets.UTF_8));
    }

    /**
     * What a trainer's {@code --resume} flag needs: with {@code resume} and an existing
     * {@code root/name}, opens it (keeping its config.yaml, with a warning when {@code configText}
     * differs); otherwise creates it as {@link #create} does.
     */
    public static RunDir openOrCreate(Path root, String name, String configText, boolean resume) throws IOException {
        if (resume && name != null && !name.isBlank() && Files.isRegularFile(root.resolve(name).resolve(CONFIG))) {
            RunDir run = open(root.resolve(name));
            if (configText != null && !configText.equals(run.config())) {
                LOG.warn("resuming {} whose {} differs from the config given now; the run keeps its own",
                        run.dir(), CONFIG);
            }
            return run;
        }
        if (resume) {
            LOG.info("nothing to resume in {}: starting a new run", root.resolve(name == null ? "" : name));
        }
        return create(root, name, configText);
    }

    /**
     * The run folder of this process in a job of several: rank 0 opens or creates it as
     * {@link #openOrCreate} does; the other ranks only name it (they write nothing and read its
     * checkpoints on resume), so the job needs a fixed name that every rank resolves alike.
     *
     * @throws IllegalArgumentException when a job of several processes gives no run name
     */
    public static RunDir forProcess(Path root, String name, String configText, boolean resume,
                                    dev.usp.train.distributed.ProcessGroupEnv process) throws IOException {
        if (process.distributed() && (name == null || name.isBlank())) {
            throw new IllegalArgumentException("a job of " + process.worldSize() + " processes needs a run name "
                    + "(--set run.name=NAME) so that every rank finds the same run folder under " + root);
        }
        if (process.isMain()) {
            return openOrCreate(root, name, configText, resume);
        }
        return new RunDir(root.resolve(name), configText == null ? "" : configText);
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /** The resolved config text. */
    public String config() {
        return config;
    }

    /** {@code metrics.jsonl}. */
    public Path metrics() {
        return dir.resolve(METRICS);
    }

    /** {@code timing.jsonl}. */
    public Path timing() {
        return dir.resolve(TIMING);
    }

    /** {@code checkpoints/}. */
    public Path checkpoints() {
        return dir.resolve(CHECKPOINTS);
    }

    /** A file in the folder, e.g. {@code samples-step-1000.png}. */
    public Path file(String name) {
        return dir.resolve(name);
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
