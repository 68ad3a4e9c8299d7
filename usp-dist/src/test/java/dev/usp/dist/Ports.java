package dev.usp.dist;

import java.io.IOException;
import java.net.ServerSocket;

/** A TCP port that was free a moment ago, for a test's MASTER_PORT. */
final class Ports {

    private Ports() {
    }

    /** A port the kernel just handed out and that was closed again. */
    static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
