package dev.usp.app.pipeline;

import dev.usp.train.loop.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Skipped updates are summed per stage from the metrics logs, and any of them withholds the comparison. */
class RunHealthTest {

    @Test
    void skippedUpdatesInAnyStageWithholdTheComparison(@TempDir Path run) throws IOException {
        log(run.resolve("vae"), Map.of("loss", 0.1), Map.of("loss", 0.09));
        log(run.resolve("pretrain"), Map.of("loss", 0.5, "skipped_updates", 2.0), Map.of("loss", 0.4, "skipped_updates", 1.0));
        Path reused = run.getParent().resolve(run.getFileName() + "-earlier/sit-usp/checkpoints/step-1.safetensors");
        log(reused.getParent().getParent(), Map.of("loss", 0.3, "skipped_updates", 4.0));
        RunHealth h = RunHealth.of(run, java.util.Arrays.asList(reused, null), List.of("VAE (max_minutes 1.0: step 3 of 9)"));
        assertEquals(0, h.skippedUpdates().get("vae"));
        assertEquals(3, h.skippedUpdates().get("pretrain"));
        assertEquals(7, h.totalSkipped());
        assertFalse(h.comparable());
        String md = h.markdown();
        assertTrue(md.contains("Skipped updates (a non-finite gradient with a finite loss): 7 (") && md.contains(
                "pretrain: 3") && md.contains("cut VAE (max_minutes 1.0: step 3 of 9)"), md);
    }

    @Test
    void aCleanRunIsComparable(@TempDir Path run) throws IOException {
        log(run.resolve("vae"), Map.of("loss", 0.1));
        RunHealth h = RunHealth.of(run, List.of(), List.of());
        assertTrue(h.comparable());
        assertTrue(h.markdown().contains("none in any stage (1 stages checked)"), h.markdown());
    }

    @SafeVarargs
    private static void log(Path runDir, Map<String, Double>... rows) throws IOException {
        Files.createDirectories(runDir);
        try (MetricsLog m = MetricsLog.open(runDir.resolve("metrics.jsonl"), 0)) {
            long step = 0;
            for (Map<String, Double> row : rows) {
                m.log(++step, 0, row);
            }
        }
    }
}
