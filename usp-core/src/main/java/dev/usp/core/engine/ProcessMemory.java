package dev.usp.core.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's resident memory as Linux reports it in {@code /proc/self/status}. */
public final class ProcessMemory {

    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory() {
    }

    /** The resident set now ({@code VmRSS}), in kB. */
    public static long rssKb() throws IOException {
        return field(status(), "VmRSS");
    }

    /** The peak resident set so far ({@code VmHWM}), in kB. */
    public static long peakRssKb() throws IOException {
        return field(status(), "VmHWM");
    }

    /**
     * The value in kB of field {@code name} (e.g. {@code VmRSS}) of a {@code /proc/<pid>/status} text.
     *
     * @throws IOException when the text has no such line (not Linux)
     */
    public static long field(String status, String name) throws IOException {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                return Long.parseLong(line.substring(name.length() + 1).replace("kB", "").trim());
            }
        }
        throw new IOException("no " + name + " line in " + STATUS + ": memory readings need Linux's /proc");
    }

    private static String status() throws IOException {
        return Files.readString(STATUS, StandardCharsets.US_ASCII);
    }
}
