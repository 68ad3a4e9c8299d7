package dev.usp.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.engine.HostArrays;
import dev.usp.train.distributed.CollectiveException;
import dev.usp.train.distributed.ProcessGroupEnv;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A group of one rank in this JVM (no option on the command line): identities, refusals after close,
 * and a close that gives back the store's port and every native thread.
 */
class OneRankGroupTest {

    @Test
    void closeEndsTheGroupsThreadsAndFreesTheStoresPort() throws IOException {
        int port = Ports.free();
        connect(port).close();
        long before = nativeThreads();
        for (int i = 0; i < 3; i++) {
            C10dCollectives gloo = connect(port);
            long during = nativeThreads();
            gloo.close();
            assertTrue(during > before, "no thread started for the group: " + during + " threads, " + before
                    + " before");
        }
        assertEquals(before, nativeThreads());
    }

    private static C10dCollectives connect(int port) {
        return C10dCollectives.connect(new ProcessGroupEnv(0, 1, 0, "127.0.0.1", port), Duration.ofSeconds(20));
    }

    /** The threads of this process, Java's and native ones alike. */
    private static long nativeThreads() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.count();
        }
    }

    @Test
    void oneRankLeavesArraysAsTheyAreAndRefusesAfterClose() throws IOException {
        int port = Ports.free();
        try (NDManager manager = NDManager.newBaseManager()) {
            C10dCollectives gloo = connect(port);
            float[] values = {1.5f, -2f, 3.25f, 0f, 7f, 1e-3f};
            NDArray a = HostArrays.floats(manager, values, new Shape(2, 3));
            NDArray b = HostArrays.floats(manager, values, new Shape(6));
            gloo.allReduceSum(List.of(a, b));
            gloo.broadcast(List.of(a), 0);
            gloo.barrier();
            assertArrayEquals(values, a.toFloatArray());
            assertArrayEquals(values, b.toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> gloo.broadcast(List.of(a), 1));
            gloo.close();
            gloo.close();
            CollectiveException e = assertThrows(CollectiveException.class, gloo::barrier);
            assertEquals("rank 0 of 1: barrier refused: the group is closed", e.getMessage());
        }
    }
}
