package dev.usp.eval.cli;

import dev.usp.app.UspCli;
import ai.djl.Device;
import dev.usp.core.testing.FashionMnistFiles;
import dev.usp.eval.fdnet.FdFmnist;
import dev.usp.eval.fdnet.FdNetWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainFdnetCommandTest {

    @TempDir
    Path tmp;

    private static String captureOut(int[] rc, String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            rc[0] = UspCli.run(args);
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpListsTheOptions() {
        int[] rc = new int[1];
        String out = captureOut(rc, "train-fdnet", "--help");
        assertEquals(0, rc[0]);
        for (String option : new String[] {"--data-dir", "--out", "--epochs", "--batch-size", "--seed", "--device", "--set"}) {
            assertTrue(out.contains(option), option + " missing in:\n" + out);
        }
        assertTrue(captureOut(rc, "--help").contains("train-fdnet"));
    }

    @Test
    void trainsWritesWeightsAndReportsTestAccuracy() throws Exception {
        FashionMnistFiles.require();
        Path out = tmp.resolve("fdnet");
        String[] args = {"train-fdnet", "--out", out.toString(), "--epochs", "1", "--batch-size", "32", "--seed", "3",
            "--set", "data.limit=64", "--set", "eval_batch_size=2000",
            "--set", "net={conv1: 4, conv2: 4, conv3: 4, feature_dim: 8}"};
        int[] rc = new int[1];
        String printed = captureOut(rc, args);
        assertEquals(0, rc[0], printed);
        assertTrue(printed.contains("test accuracy ") && printed.contains("on 10000 Fashion-MNIST test images"), printed);
        Path weights = out.resolve(FdNetWeights.FILE);
        FdNetWeights.Card card = FdNetWeights.readCard(weights);
        assertEquals(64, card.trainImages());
        assertEquals(10000, card.testImages());
        assertEquals(2, card.steps());
        assertEquals(3, card.seed());
        assertTrue(printed.contains(String.format("test accuracy %.4f", card.testAccuracy())), printed);
        try (FdFmnist fd = FdFmnist.load(weights, Device.cpu())) {
            assertEquals(8, fd.featureDim());
            assertEquals(FdNetWeights.sha256(weights), fd.weightsId());
        }
        assertEquals(1, UspCli.run(args), "a second run into the same folder must refuse to overwrite it");
    }
}
