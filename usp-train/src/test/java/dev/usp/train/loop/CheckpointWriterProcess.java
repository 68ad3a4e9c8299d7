package dev.usp.train.loop;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.weights.StateDict;

import java.nio.file.Path;
import java.util.Map;

/**
 * Run as a separate JVM by {@link CheckpointKillTest}: saves checkpoints forever into the folder
 * given as the only argument, continuing after the newest complete one. Checkpoint {@code s}
 * holds a 4M-float tensor filled with {@code s}, so each write takes long enough to be killed in
 * the middle.
 */
final class CheckpointWriterProcess {

    static final int SIZE = 4 << 20;

    private CheckpointWriterProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        CheckpointStore store = new CheckpointStore(dir, 2, 0);
        long step = store.latest().map(p -> {
            try {
                return Checkpoint.verify(p);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }).orElse(0L);
        try (NDManager m = NDManager.newBaseManager()) {
            while (true) {
                step++;
                try (NDManager scope = m.newSubManager()) {
                    StateDict sd = new StateDict("writer", null)
                            .put("big", scope.full(new Shape(SIZE), step))
                            .put("step", scope.create(new long[] {step}));
                    store.save(new Checkpoint(step, 0, 1, "writer", Map.of("model", sd), Map.of()));
                }
                System.out.println("saved " + step);
                System.out.flush();
            }
        }
    }
}
