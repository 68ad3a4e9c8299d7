package dev.usp.train.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Resident set size and used Java heap of this process after {@code step} steps, in MiB. */
public record MemorySample(long step, double rssMb, double heapMb) {

    private static final Path STATUS = Path.of("/proc/self/status");

    /** Reads VmRSS from {@code /proc/self/status} and the used heap from the runtime now. */
    public static MemorySample now(long step) throws IOException {
        Runtime rt = Runtime.getRuntime();
        double heap = (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0);
        return new MemorySample(step, vmRssKb(Files.readString(STATUS, StandardCharsets.US_ASCII)) / 1024.0, heap);
    }

    /**
     * The {@code VmRSS} value in kB of a {@code /proc/<pid>/status} text.
     *
     * @throws IOException when the text has no VmRSS line (not Linux)
     */
    static long vmRssKb(String status) throws IOException {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).replace("kB", "").trim());
            }
        }
        throw new IOException("no VmRSS line in " + STATUS + ": the memory soak needs Linux's /proc");
    }

    /** One CSV line: step,rss_mb,heap_mb. */
    public String csv() {
        return String.format(Locale.ROOT, "%d,%.1f,%.1f", step, rssMb, heapMb);
    }
}
