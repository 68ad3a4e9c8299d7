package dev.usp.train.reliability;

import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.StateDict;
import dev.usp.train.loop.Checkpoint;
import dev.usp.train.loop.CheckpointStore;
import dev.usp.train.loop.RunDir;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The soak's RSS reading and verdict, and the checkpoint probe of the kill-and-resume check. */
class ReliabilityToolsTest {

    @Test
    void aSampleHoldsThisProcessRssAndHeap() throws IOException {
        MemorySample now = MemorySample.now(3);
        assertTrue(now.rssMb() > 10 && now.heapMb() > 0, now.csv());
    }

    @Test
    void verdictComparesTheWarmUpSampleWithTheLast() {
        List<MemorySample> samples = List.of(new MemorySample(0, 200, 10), new MemorySample(100, 380, 20),
                new MemorySample(500, 400, 30), new MemorySample(1000, 430, 25), new MemorySample(1500, 412, 40));
        SoakVerdict v = SoakVerdict.of(samples, 500, 5);
        assertEquals(500, v.warm().step());
        assertEquals(1500, v.end().step());
        assertEquals(3.0, v.growthPercent(), 1e-12);
        assertEquals(430, v.peakRssMb());
        assertTrue(v.passed());
        assertTrue(v.summary().startsWith("PASS: RSS 400.0 MB at step 500"), v.summary());
        SoakVerdict strict = SoakVerdict.of(samples, 500, 2.5);
        assertTrue(!strict.passed() && strict.summary().startsWith("FAIL"), strict.summary());
        assertThrows(IllegalArgumentException.class, () -> SoakVerdict.of(samples, 1500, 5));
        assertThrows(IllegalArgumentException.class, () -> SoakVerdict.of(samples, 2000, 5));
    }

    @Test
    void probeLoadsTheNewestCompleteCheckpointAndReportsTemporaries(@TempDir Path run) throws IOException {
        assertTrue(CheckpointProbe.probe(run).startsWith("no complete checkpoint yet"));
        Path dir = run.resolve(RunDir.CHECKPOINTS);
        try (NDManager m = NDManager.newBaseManager()) {
            CheckpointStore store = new CheckpointStore(dir, 2, 0);
            for (long step : new long[] {5, 10}) {
                StateDict sd = new StateDict("model", null).put("w", m.create(new float[] {step, 2 * step}));
                store.save(new Checkpoint(step, 0, 1, "", Map.of("model", sd), Map.of()));
            }
        }
        Files.write(dir.resolve(".step-000000015.safetensors.123.tmp"), new byte[] {1, 2, 3});
        Files.write(dir.resolve("step-000000015.safetensors"), new byte[] {1, 2, 3});
        String line = CheckpointProbe.probe(run);
        assertTrue(line.startsWith("latest checkpoint step-000000010.safetensors loads: step 10, parts [model], "
                + "1 tensors; last -> step-000000010.safetensors"), line);
        assertTrue(line.endsWith("temporary files [.step-000000015.safetensors.123.tmp]"), line);
        Files.writeString(dir.resolve(CheckpointStore.LAST), "step-000000015.safetensors\n");
        IOException e = assertThrows(IOException.class, () -> CheckpointProbe.probe(run));
        assertTrue(e.getMessage().contains("step-000000015.safetensors"), e.getMessage());
    }
}
