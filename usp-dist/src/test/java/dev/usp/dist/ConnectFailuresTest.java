package dev.usp.dist;

import dev.usp.train.distributed.CollectiveException;
import dev.usp.train.distributed.ProcessGroupEnv;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A rendezvous that never completes ends after the timeout with the rank, the store and c10d's reason. */
class ConnectFailuresTest {

    @Test
    void aWorkerWithoutItsServer() throws IOException {
        int port = Ports.free();
        long started = System.nanoTime();
        CollectiveException e = assertThrows(CollectiveException.class, () -> C10dCollectives.connect(
                new ProcessGroupEnv(1, 2, 1, "127.0.0.1", port), Duration.ofSeconds(2)));
        double seconds = (System.nanoTime() - started) / 1e9;
        assertTrue(e.getMessage().startsWith("rank 1 of 2: connect failed: TCPStore at 127.0.0.1:" + port + ": "),
                e.getMessage());
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertTrue(seconds < 10, seconds + " s");
    }

    @Test
    void aServerWhoseWorkersNeverCome() throws IOException {
        int port = Ports.free();
        CollectiveException e = assertThrows(CollectiveException.class, () -> C10dCollectives.connect(
                new ProcessGroupEnv(0, 2, 0, "127.0.0.1", port), Duration.ofSeconds(2)));
        assertTrue(e.getMessage().startsWith("rank 0 of 2: connect failed: TCPStore at 127.0.0.1:" + port + ": "),
                e.getMessage());
        assertTrue(e.getMessage().contains("1/2 clients joined"), e.getMessage());
    }
}
