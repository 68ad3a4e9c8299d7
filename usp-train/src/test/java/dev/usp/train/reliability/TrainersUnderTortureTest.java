package dev.usp.train.reliability;

import dev.usp.core.testing.FashionMnistFiles;
import dev.usp.core.testing.ForkedJvm;
import dev.usp.train.loop.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every trainer (VAE, FD net, MAE pretraining, SiT, DiT, linear probe, fine-tune) runs at least
 * 30 real steps twice in forked JVMs ({@link TortureDriver}): once plainly, once under torture:
 * <ul>
 *   <li>garbage collection all the time: a thread calling {@code System.gc()} every millisecond,
 *       and a 1 MB young generation (serial collector), so that collections fall between the
 *       forward and the backward of every step;</li>
 *   <li>freed native memory poisoned: glibc's {@code MALLOC_PERTURB_} fills freed and fresh
 *       blocks, and {@code MALLOC_MMAP_THRESHOLD_} keeps blocks up to 32 MB in the reusable heap
 *       instead of unmapping them, so a read of freed memory reads the poison;</li>
 *   <li>both cores kept busy by two other (niced) processes.</li>
 * </ul>
 * The state digests after every step must be equal (bitwise-equal parameters, EMA and optimiser
 * state), as must every {@code metrics.jsonl}, and no update may be skipped. A freed scalar that
 * autograd still needed (the old {@code x.mul(2f)}), or a kernel that reads uninitialised memory,
 * makes the two runs differ.
 */
class TrainersUnderTortureTest {

    private static final Logger LOG = LoggerFactory.getLogger(TrainersUnderTortureTest.class);

    @Test
    void everyTrainerGivesBitIdenticalStepsUnderTorture(@TempDir Path tmp) throws Exception {
        FashionMnistFiles.require();
        long start = System.nanoTime();
        Path plain = tmp.resolve("plain");
        Path tortured = tmp.resolve("tortured");
        ForkedJvm.Result a = driver(plain).run();
        assertEquals(0, a.exitCode(), ForkedJvm.tail(a.output()));
        double plainSeconds = (System.nanoTime() - start) / 1e9;
        List<Process> load = burnBothCores();
        ForkedJvm.Result b;
        try {
            b = driver(tortured).args("--torture").jvmArgs("-XX:+UseSerialGC", "-Xmx512m", "-Xmn1m")
                    .env("MALLOC_PERTURB_", "165").env("MALLOC_MMAP_THRESHOLD_", "33554432").run();
        } finally {
            load.forEach(Process::destroyForcibly);
        }
        assertEquals(0, b.exitCode(), ForkedJvm.tail(b.output()));
        for (String trainer : TortureDriver.TRAINERS) {
            List<String> expected = Files.readAllLines(plain.resolve("digests").resolve(trainer + ".txt"));
            List<String> actual = Files.readAllLines(tortured.resolve("digests").resolve(trainer + ".txt"));
            assertTrue(expected.size() >= 30, trainer + " ran " + expected.size() + " steps");
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i), i < actual.size() ? actual.get(i) : "(no step)",
                        trainer + ": the state after step " + (i + 1) + " differs under torture");
            }
            assertEquals(expected.size(), actual.size(), trainer);
        }
        List<Path> logs = metricsLogs(plain);
        assertEquals(TortureDriver.TRAINERS.size(), logs.size(), logs.toString());
        for (Path log : logs) {
            assertEquals(Files.readString(log), Files.readString(tortured.resolve(plain.relativize(log))),
                    plain.relativize(log) + " differs under torture");
            for (Map<String, Double> row : MetricsLog.read(log)) {
                assertEquals(0.0, row.getOrDefault("skipped_updates", 0.0), log + ": a skipped update");
            }
        }
        LOG.info("every trainer bit-identical under torture; plain {} s, both {} s", String.format("%.0f",
                plainSeconds), String.format("%.0f", (System.nanoTime() - start) / 1e9));
    }

    private static ForkedJvm driver(Path work) {
        return ForkedJvm.of(TortureDriver.class).args(work.toString()).timeoutSeconds(900);
    }

    private static List<Process> burnBothCores() throws IOException {
        List<Process> burners = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            // niced, so that the tortured JVM still gets a share of each core: the load is there, the run ends
            burners.add(new ProcessBuilder("nice", "-n", "10", "sh", "-c", "while :; do :; done").start());
        }
        return burners;
    }

    private static List<Path> metricsLogs(Path run) throws IOException {
        try (Stream<Path> files = Files.walk(run)) {
            return files.filter(f -> f.getFileName().toString().equals("metrics.jsonl")).sorted().toList();
        }
    }

}
