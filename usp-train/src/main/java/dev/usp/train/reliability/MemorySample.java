package dev.usp.train.reliability;

import dev.usp.core.engine.ProcessMemory;

import java.io.IOException;
import java.util.Locale;

/** Resident set size and used Java heap of this process after {@code step} steps, in MiB. */
public record MemorySample(long step, double rssMb, double heapMb) {

    /** Reads VmRSS from {@code /proc/self/status} and the used heap from the runtime now. */
    public static MemorySample now(long step) throws IOException {
        Runtime rt = Runtime.getRuntime();
        double heap = (rt.totalMemory() - rt.freeMemory()) / (1024.0 * 1024.0);
        return new MemorySample(step, ProcessMemory.rssKb() / 1024.0, heap);
    }

    /** One CSV line: step,rss_mb,heap_mb. */
    public String csv() {
        return String.format(Locale.ROOT, "%d,%.1f,%.1f", step, rssMb, heapMb);
    }
}
