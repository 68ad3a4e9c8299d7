package dev.usp.core.weights;

import ai.djl.ndarray.NDManager;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads every file of a folder as a state dict in a small JVM and prints, per file, how long
 * the refusal took, the exception class and its message; then the JVM's peak resident memory.
 */
public final class HostileWeightFilesProbe {

    private HostileWeightFilesProbe() {
    }

    /** Arguments: the folder of {@link HostileWeightFiles}. */
    public static void main(String[] args) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of(args[0]))) {
            files = s.sorted().toList();
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            for (Path file : files) {
                long start = System.nanoTime();
                String outcome;
                try (StateDict sd = WeightFiles.readStateDict(file, null, manager)) {
                    outcome = "read\t" + sd.keys();
                } catch (Throwable t) {
                    if (t instanceof Error) {
                        t.printStackTrace(System.out);
                    }
                    outcome = t.getClass().getSimpleName() + "\t" + String.valueOf(t.getMessage()).replace('\n', ' ');
                }
                long ms = (System.nanoTime() - start) / 1_000_000;
                System.out.println("CASE\t" + file.getFileName() + "\t" + ms + "\t" + outcome);
            }
        }
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                System.out.println("PEAK\t" + line.replaceAll("\\D", ""));
            }
        }
    }
}
