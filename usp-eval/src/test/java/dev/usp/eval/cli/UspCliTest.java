package dev.usp.eval.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UspCliTest {

    private static String captureOut(Runnable r) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsSubcommands() {
        int[] rc = new int[1];
        String out = captureOut(() -> rc[0] = UspCli.run("--help"));
        assertEquals(0, rc[0]);
        assertTrue(out.contains("info"), out);
    }

    @Test
    void infoReportsEngineAndDevice() {
        int[] rc = new int[1];
        String out = captureOut(() -> rc[0] = UspCli.run("info", "--device", "cpu"));
        assertEquals(0, rc[0]);
        assertTrue(out.contains("engine PyTorch 2.7.1") && out.contains("cpu()"), out);
    }

    @Test
    void unknownDeviceIsAnError() {
        assertEquals(1, UspCli.run("info", "--device", "tpu"));
    }
}
