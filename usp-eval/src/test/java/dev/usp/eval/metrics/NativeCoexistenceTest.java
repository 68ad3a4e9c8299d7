package dev.usp.eval.metrics;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * libtorch (DJL) and ND4J each load their own OpenMP runtime; {@link NativeCoexistenceProbe} checks
 * both engines' results in a fresh JVM for each load order, since the order is fixed once a JVM
 * has loaded either.
 */
class NativeCoexistenceTest {

    @ParameterizedTest
    @ValueSource(strings = {"djl-first", "nd4j-first"})
    void bothEnginesComputeCorrectlyInOneJvm(String order) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "-Xmx1g", "-Dai.djl.offline=true",
                "-cp", System.getProperty("java.class.path"), NativeCoexistenceProbe.class.getName(), order))
                .redirectErrorStream(true);
        pb.environment().put("OMP_NUM_THREADS", "2");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe did not finish");
        String log = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), log);
        assertTrue(log.strip().endsWith("OK"), log);
    }
}
