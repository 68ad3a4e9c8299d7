package dev.usp.eval.cli;

import dev.usp.app.UspCli;
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
    void modelsPrintsTheOfficialParameterCounts() {
        int[] rc = new int[1];
        String dit = captureOut(() -> rc[0] = UspCli.run("models", "--family", "dit"));
        assertEquals(0, rc[0]);
        assertTrue(dit.matches("(?s).*DiT-XL/2-VAE-simple\\s+1152/28/16\\s+675,258,656.*"), dit);
        assertTrue(dit.matches("(?s).*DiT-XL/2\\s+1152/28/16\\s+675,129,632.*"), dit);
        assertTrue(dit.matches("(?s).*DiT-B/2\\s+768/12/12\\s+130,512,416.*"), dit);
        String mae = captureOut(() -> rc[0] = UspCli.run("models", "--family", "mae"));
        assertTrue(mae.matches("(?s).*vit_base_patch_vae\\s+768/12/12 p2\\s+512/8/16\\s+110,944,528\\s+85,221,120.*"), mae);
        assertTrue(mae.contains("472,496,272"), mae);
    }

    @Test
    void unknownDeviceIsAnError() {
        assertEquals(1, UspCli.run("info", "--device", "tpu"));
    }
}
