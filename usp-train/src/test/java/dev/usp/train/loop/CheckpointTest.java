package dev.usp.train.loop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.weights.StateDict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {

    @TempDir
    Path dir;

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private StateDict dict(String source, float base) {
        float[] w = new float[6];
        for (int i = 0; i < w.length; i++) {
            w[i] = base + (float) Math.sin(i) / 3f;
        }
        return new StateDict(source, null)
                .put("fc.weight", manager.create(w, new Shape(2, 3)))
                .put("fc.bias", manager.create(new float[] {base, -base}));
    }

    private Checkpoint checkpoint(long step) {
        Map<String, StateDict> parts = new LinkedHashMap<>();
        parts.put("model", dict("model", step));
        return new Checkpoint(step, 0, 7, "cfg", parts, Map.of());
    }

    @Test
    void roundTripIsExact() throws IOException {
        Map<String, StateDict> parts = new LinkedHashMap<>();
        parts.put("model", dict("model", 1.5f));
        parts.put("ema", dict("ema", 1.25f));
        parts.put("optimizer", new StateDict("opt", null)
                .put("state.0.exp_avg", manager.create(new float[] {1e-30f, Float.MIN_VALUE, -0f, 3.4e38f}))
                .put("state.0.step", manager.create(new long[] {123456789012L}))
                .put("scalar", manager.create(2.5f)));
        parts.put("empty", new StateDict("empty", null));
        String config = "model: DiT-B/2\nname: \"lätent ✓\"\nlr: 1e-4\n";
        Map<String, Double> scalars = new LinkedHashMap<>();
        scalars.put("best_fd", 12.25);
        scalars.put("undefined", Double.NaN);
        Path file = dir.resolve("cp.safetensors");
        new Checkpoint(1000, 3, -42, config, parts, scalars).write(file);

        assertEquals(1000, Checkpoint.verify(file));
        try (Checkpoint cp = Checkpoint.load(file, manager)) {
            assertEquals(1000, cp.step());
            assertEquals(3, cp.epoch());
            assertEquals(-42, cp.seed());
            assertEquals(config, cp.config());
            assertEquals(List.of("model", "ema", "optimizer", "empty"), List.copyOf(cp.partNames()));
            assertEquals(12.25, cp.scalar("best_fd"));
            assertTrue(Double.isNaN(cp.scalar("undefined")));
            assertEquals("PyTorch", cp.engine().get("name"));
            for (String part : List.of("model", "ema", "optimizer")) {
                StateDict want = parts.get(part);
                StateDict got = cp.part(part);
                assertEquals(List.copyOf(want.keys()), List.copyOf(got.keys()));
                for (String key : want.keys()) {
                    NDArray a = want.get(key);
                    NDArray b = got.get(key);
                    assertEquals(a.getShape(), b.getShape(), key);
                    assertEquals(a.getDataType(), b.getDataType(), key);
                    assertArrayEquals(a.toByteArray(), b.toByteArray(), key);
                }
            }
            assertEquals(DataType.INT64, cp.part("optimizer").get("state.0.step").getDataType());
            assertEquals(0, cp.part("empty").size());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cp.part("scheduler"));
            assertTrue(e.getMessage().contains("'scheduler'") && e.getMessage().contains("optimizer"), e.getMessage());
        }
    }

    @Test
    void partNamesMayNotContainDots() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Checkpoint(1, 0, 0, "", Map.of("model.ema", dict("x", 0)), Map.of()));
        assertTrue(e.getMessage().contains("model.ema"), e.getMessage());
    }

    @Test
    void failureDuringWriteLeavesThePreviousCheckpoint() throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 3, 0);
        Path first = store.save(checkpoint(100));
        // A tensor that fails once its bytes are requested: the header is already out, the data is not.
        NDArray broken = manager.zeros(new Shape(1000));
        broken.getShape();
        broken.getDataType();
        broken.close();
        Map<String, StateDict> parts = Map.of("model", dict("model", 200).filter(k -> true).put("late", broken));
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> store.save(new Checkpoint(200, 0, 7, "cfg", parts, Map.of())));
        assertTrue(e.getMessage().contains("released"), "failed while writing the data: " + e);

        assertEquals(List.of(first), store.stepFiles());
        assertEquals(first, store.latest().orElseThrow());
        assertEquals(first, store.last().orElseThrow());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(CheckpointStore.LAST, first.getFileName().toString()),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file left");
        }
        try (Checkpoint cp = Checkpoint.load(first, manager)) {
            assertArrayEquals(new float[] {100, -100}, cp.part("model").get("fc.bias").toFloatArray());
        }
    }

    @Test
    void tornFilesAndStaleTemporariesAreSkipped() throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 3, 0);
        Path good = store.save(checkpoint(10));
        Path later = store.save(checkpoint(20));
        // What a file system without atomic rename could leave: a truncated newest file that
        // 'last' names, and a temporary file of a write in progress.
        byte[] bytes = Files.readAllBytes(later);
        Files.write(later, Arrays.copyOf(bytes, bytes.length - 5));
        Path stale = dir.resolve(".step-000000030.safetensors.123.tmp");
        Files.write(stale, Arrays.copyOf(bytes, 100));

        IOException e = assertThrows(IOException.class, () -> Checkpoint.verify(later));
        assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains(later.toString()), e.getMessage());
        assertEquals(good, CheckpointStore.findLatest(dir).orElseThrow());
        assertTrue(Files.exists(stale), "a reader (another rank, a watcher) leaves a write in progress alone");
        CheckpointStore reopened = new CheckpointStore(dir, 3, 0);
        assertFalse(Files.exists(stale));
        assertEquals(good, reopened.latest().orElseThrow());
        assertEquals(good, CheckpointStore.findLatest(dir).orElseThrow());
    }

    @Test
    void retentionKeepsNewestArchivedAndBest() throws IOException {
        CheckpointStore store = new CheckpointStore(dir, 2, 4);
        double[] fd = {9, 8, 3, 5, 6, 7, 4, 8};
        for (int step = 1; step <= 8; step++) {
            store.save(checkpoint(step));
            store.offerBest(step, fd[step - 1], false);
        }
        assertEquals(List.of(3L, 4L, 7L, 8L), store.stepFiles().stream()
                .map(p -> Long.parseLong(p.getFileName().toString().replaceAll("\\D", ""))).toList());
        assertEquals(store.fileFor(3), store.best().orElseThrow());
        assertEquals(3.0, store.bestMetric().orElseThrow());
        assertEquals(store.fileFor(8), store.last().orElseThrow());
        assertFalse(store.offerBest(8, 3.0, false), "a tie is not an improvement");
        assertFalse(store.offerBest(8, Double.NaN, false));
        assertTrue(store.offerBest(8, 2.5, false));
        assertEquals(store.fileFor(8), store.best().orElseThrow());
    }
}
