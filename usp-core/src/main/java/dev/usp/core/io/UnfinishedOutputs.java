package dev.usp.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The output folders this process created and has not yet put anything worth keeping into
 * (a run folder before its first checkpoint, a latent cache before its first shard). When a
 * command fails, its entry point removes them, so that a refused input leaves no half-written
 * run folder or cache spec behind; a folder that holds a checkpoint or shard is kept for resuming.
 * Folders that existed before the process touched them are never registered.
 */
public final class UnfinishedOutputs {

    private static final Set<Path> PENDING = new LinkedHashSet<>();

    private UnfinishedOutputs() {
    }

    /**
     * Creates {@code dir} (and its parents) as {@link Files#createDirectories} does and, when it
     * did not exist, registers it as unfinished.
     */
    public static Path create(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        boolean existed = Files.exists(abs);
        Files.createDirectories(abs);
        if (!existed) {
            synchronized (PENDING) {
                PENDING.add(abs);
            }
        }
        return dir;
    }

    /** Marks every unfinished folder that contains {@code file} as worth keeping. */
    public static void keep(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        synchronized (PENDING) {
            PENDING.removeIf(abs::startsWith);
        }
    }

    /** The folders registered and not kept, oldest first. */
    public static List<Path> pending() {
        synchronized (PENDING) {
            return List.copyOf(PENDING);
        }
    }

    /**
     * Deletes every unfinished folder with its content and forgets them.
     *
     * @return the folders deleted
     */
    public static List<Path> removeAll() {
        List<Path> removed = new ArrayList<>();
        for (Path dir : pending()) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
                removed.add(dir);
            } catch (IOException | UncheckedIOException e) {
                // Leave what cannot be deleted; the caller reports what was removed.
            }
        }
        synchronized (PENDING) {
            PENDING.clear();
        }
        return removed;
    }
}
