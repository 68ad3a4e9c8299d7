package dev.usp.train.reliability;

import ai.djl.ndarray.NDManager;
import dev.usp.train.loop.Checkpoint;
import dev.usp.train.loop.CheckpointStore;
import dev.usp.train.loop.RunDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checks a run folder after a crash (the kill-and-resume check): the newest complete checkpoint
 * loads in full, and the {@code last} pointer, when present, names a complete checkpoint. Prints
 * one line and exits 0 when everything that exists loads (also when there is no checkpoint yet),
 * 1 otherwise. Temporary files left by an interrupted write are listed, then removed as a resume
 * would remove them.
 */
public final class CheckpointProbe {

    private CheckpointProbe() {
    }

    /** {@code CheckpointProbe RUN_DIR}. */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: CheckpointProbe RUN_DIR");
            System.exit(1);
        }
        try {
            System.out.println(probe(Path.of(args[0])));
            System.exit(0);
        } catch (IOException | RuntimeException e) {
            System.out.println("checkpoint probe FAILED: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Loads the newest complete checkpoint of {@code runDir} and checks the {@code last} pointer.
     *
     * @return a one-line description: the step, parts and tensor count, and left-over temporary files
     * @throws IOException naming the file when a checkpoint or the pointer is broken
     */
    public static String probe(Path runDir) throws IOException {
        Path dir = runDir.resolve(RunDir.CHECKPOINTS);
        List<String> temporaries = temporaries(dir);
        Optional<Path> latest = CheckpointStore.findLatest(runDir);
        if (latest.isEmpty()) {
            return "no complete checkpoint yet in " + dir + "; temporary files " + temporaries;
        }
        Path pointer = dir.resolve(CheckpointStore.LAST);
        // read by hand: opening a CheckpointStore would delete the temporary files this reports
        Optional<Path> last = Files.exists(pointer)
                ? Optional.of(dir.resolve(Files.readString(pointer, StandardCharsets.UTF_8).trim())) : Optional.empty();
        if (last.isPresent()) {
            Checkpoint.verify(last.get());
        }
        try (NDManager m = NDManager.newBaseManager(); Checkpoint cp = Checkpoint.load(latest.get(), m)) {
            int tensors = cp.partNames().stream().mapToInt(p -> cp.part(p).asMap().size()).sum();
            return "latest checkpoint " + latest.get().getFileName() + " loads: step " + cp.step() + ", parts "
                    + cp.partNames() + ", " + tensors + " tensors; last -> "
                    + last.map(p -> p.getFileName().toString()).orElse("(none)") + "; temporary files " + temporaries;
        }
    }

    private static List<String> temporaries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).sorted().toList();
        }
    }
}
