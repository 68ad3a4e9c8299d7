package dev.usp.train.loop;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kills a JVM that writes checkpoints (SIGKILL, at varying moments) and checks what it leaves. */
class CheckpointKillTest {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointKillTest.class);

    @TempDir
    Path dir;

    @Test
    void killNineAtAnyMomentLeavesLastLoadable() throws Exception {
        long previous = 0;
        for (int round = 0; round < 3; round++) {
            Process p = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dai.djl.offline=true", "-Xmx512m",
                    "-cp", System.getProperty("java.class.path"),
                    CheckpointWriterProcess.class.getName(), dir.toString()))
                    .redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            long saved = -1;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("saved ")) {
                    saved = Long.parseLong(line.substring(6));
                    if (saved >= previous + 2) {
                        break;
                    }
                }
            }
            assertTrue(saved >= previous + 2, "the writer process stopped early");
            Thread.sleep(7 + 13L * round);
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, p.exitValue(), "killed by SIGKILL");

            CheckpointStore store = new CheckpointStore(dir, 2, 0);
            Path latest = store.latest().orElseThrow();
            Path last = store.last().orElseThrow();
            long step = checkComplete(latest);
            assertEquals(step, checkComplete(last) + (latest.equals(last) ? 0 : 1),
                    "'last' names the newest file, or the one before when the kill came between the two renames");
            assertTrue(step >= saved, "checkpoint " + saved + " was reported saved");
            LOG.info("round {}: killed after 'saved {}'; latest complete checkpoint {}", round, saved, step);
            previous = step;
        }
    }

    private static long checkComplete(Path file) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             Checkpoint cp = Checkpoint.load(file, m)) {
            long step = cp.step();
            assertArrayEquals(new long[] {step}, cp.part("model").get("step").toLongArray());
            float[] big = cp.part("model").get("big").toFloatArray();
            assertEquals(CheckpointWriterProcess.SIZE, big.length);
            assertEquals(step, big[0]);
            assertEquals(step, big[big.length - 1]);
            return step;
        }
    }
}
