package dev.usp.app;

import dev.usp.train.loop.MetricsLog;
import dev.usp.train.loop.RunDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory soak's pretraining stage, shortened: the MAE trains the steps asked for through
 * {@code Pretrainer}, and RSS is sampled at step 0 and after each checkpoint, the same numbers in
 * {@code soak.csv} and in the run's {@code metrics.jsonl}.
 */
class MemorySoakTest {

    @Test
    void pretrainStageSamplesRssAfterEveryCheckpoint(@TempDir Path out) throws IOException {
        int code = MemorySoak.commandLine().execute("--stage", "pretrain", "--steps", "12", "--every", "4",
                "--warmup", "4", "--max-growth", "1000", "--out", out.toString());
        assertEquals(0, code);
        List<String> csv = Files.readAllLines(out.resolve("soak.csv"));
        assertEquals("step,rss_mb,heap_mb", csv.get(0));
        assertEquals(List.of("0", "4", "8", "12"), csv.stream().skip(1).map(l -> l.split(",")[0]).toList());
        Path run = out.resolve("run");
        assertTrue(Files.readString(run.resolve(RunDir.CONFIG)).contains("model: vit_mini_patch_vae"),
                "the pretraining stage's default model");
        List<Map<String, Double>> rows = MetricsLog.read(run.resolve(RunDir.METRICS));
        assertEquals(3, rows.stream().filter(row -> row.containsKey("loss")).count(), "a loss every 4 steps");
        List<Map<String, Double>> logged = rows.stream().filter(row -> row.containsKey("rss_mb")).toList();
        assertEquals(3, logged.size(), logged.toString());
        for (int i = 0; i < logged.size(); i++) {
            String[] sample = csv.get(i + 2).split(",");
            assertEquals(Double.parseDouble(sample[0]), logged.get(i).get("step"));
            double rss = Double.parseDouble(sample[1]);
            assertTrue(rss > 100, "RSS " + rss + " MB of a JVM with libtorch");
            assertEquals(rss, logged.get(i).get("rss_mb"), 0.05, "the csv rounds to 0.1 MB");
        }
        assertTrue(Files.size(out.resolve("soak.png")) > 0);
    }
}
