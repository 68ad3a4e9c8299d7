package dev.usp.core.weights;

import dev.usp.core.testing.ForkedJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 14's hostile weight files: each must fail with the reader's own exception, a message
 * naming the file and the broken limit, in under 10 s, and all of them together in a JVM of
 * 256 MB heap, 256 KB thread stacks and under 1 GB peak resident memory.
 */
class HostileWeightFilesTest {

    @Test
    void everyHostileFileFailsClearlyFastAndInBoundedMemory(@TempDir Path dir) throws Exception {
        Map<String, String> cases = HostileWeightFiles.write(dir);
        ForkedJvm.Result r = ForkedJvm.of(HostileWeightFilesProbe.class)
                .jvmArgs("-Xmx256m", "-Xss256k", "-XX:MaxDirectMemorySize=256m")
                .args(dir.toString()).timeoutSeconds(300).run();
        assertEquals(0, r.exitCode(), ForkedJvm.tail(r.output()));
        Map<String, String[]> seen = new HashMap<>();
        long peakKb = -1;
        for (String line : r.output().split("\n")) {
            String[] f = line.split("\t", 5);
            if (f[0].equals("CASE") && f.length == 5) {
                seen.put(f[1], f);
            } else if (f[0].equals("PEAK")) {
                peakKb = Long.parseLong(f[1]);
            }
        }
        for (Map.Entry<String, String> c : cases.entrySet()) {
            String[] f = seen.get(c.getKey());
            assertTrue(f != null, c.getKey() + " was not read:\n" + ForkedJvm.tail(r.output()));
            String what = c.getKey() + " -> " + f[3] + ": " + f[4];
            assertTrue(f[3].equals("IOException") || f[3].equals("IllegalArgumentException"), what);
            assertTrue(f[4].contains(c.getKey()), "the message names the file: " + what);
            assertTrue(f[4].contains(c.getValue()), "expected '" + c.getValue() + "' in " + what);
            assertTrue(Long.parseLong(f[2]) < 10_000, what + " took " + f[2] + " ms");
        }
        assertTrue(peakKb > 0 && peakKb < 1_000_000, "peak RSS " + peakKb + " kB");
    }

    @Test
    void legacyMessageAdvisesLoadingWithoutRunningThePickle() {
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> TorchCheckpoint.open(WeightFixtures.path("legacy.pth")));
        assertTrue(e.getMessage().contains("weights_only=True"), e.getMessage());
    }
}
