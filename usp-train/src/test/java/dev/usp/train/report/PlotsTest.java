package dev.usp.train.report;

import dev.usp.train.loop.LossCurves;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.train.loop.MetricsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlotsTest {

    @TempDir
    Path dir;

    private static int countNot(BufferedImage img, int rgb, int x0, int y0, int x1, int y1) {
        int n = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                if ((img.getRGB(x, y) & 0xffffff) != rgb) {
                    n++;
                }
            }
        }
        return n;
    }

    private static boolean hasColour(BufferedImage img, int rgb) {
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == rgb) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void linePlotWritesAReadablePngWithTheSeries() throws IOException {
        double[] x = new double[200];
        double[] loss = new double[200];
        double[] acc = new double[200];
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 50;
            loss[i] = 2 * Math.exp(-i / 40.0) + 1e-3;
            acc[i] = i == 100 ? Double.NaN : 1 - loss[i] / 3;
        }
        Path png = dir.resolve("plot.png");
        new LinePlot("loss", "step", "value").logY(true).size(640, 400)
                .add("loss", x, loss).add("accuracy", x, acc).write(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
        assertTrue(countNot(img, 0xffffff, 0, 0, 640, 400) > 2000, "axes, labels and lines are drawn");
        assertTrue(hasColour(img, 0x1f77b4) && hasColour(img, 0xff7f0e), "both series colours appear");
    }

    @Test
    void emptyPlotStillRendersAndMismatchedSeriesAreRejected() throws IOException {
        Path png = dir.resolve("empty.png");
        new LinePlot("nothing yet", "step", "loss").logY(true).write(png);
        assertEquals(800, ImageIO.read(png.toFile()).getWidth());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LinePlot("t", "x", "y").add("bad", new double[3], new double[2]));
        assertTrue(e.getMessage().contains("'bad'"), e.getMessage());
    }

    @Test
    void twoRendersOfOnePlotAreByteIdentical() throws IOException {
        double[] x = new double[50];
        double[] y = new double[50];
        for (int i = 0; i < x.length; i++) {
            x[i] = 10 * (i + 1);
            y[i] = 1.0 / (i + 1);
        }
        Path a = dir.resolve("a.png");
        Path b = dir.resolve("b.png");
        new LinePlot("loss", "step", "loss").logY(true).add("loss", x, y).write(a);
        new LinePlot("loss", "step", "loss").logY(true).add("loss", x, y).write(b);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        Path c = dir.resolve("c.png");
        Path d = dir.resolve("d.png");
        new BarChart("top-1", "%", List.of("probe", "fine-tune")).add("USP", 71.2, 85.6).add("random", 60.1, Double.NaN)
                .write(c);
        new BarChart("top-1", "%", List.of("probe", "fine-tune")).add("USP", 71.2, 85.6).add("random", 60.1, Double.NaN)
                .write(d);
        assertArrayEquals(Files.readAllBytes(c), Files.readAllBytes(d));
        assertEquals("true", System.getProperty("java.awt.headless"), "charts are drawn headless");
    }

    @Test
    void barChartDrawsEachSeriesInItsColourAndRejectsAShortSeries() throws IOException {
        Path png = dir.resolve("bars.png");
        new BarChart("top-1", "%", List.of("probe", "fine-tune")).add("USP", 71.2, 85.6).add("random", 60.1, 80.0)
                .write(png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(640, img.getWidth());
        assertEquals(400, img.getHeight());
        assertTrue(hasColour(img, 0x1f77b4) && hasColour(img, 0xff7f0e), "both series colours appear");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BarChart("t", "y", List.of("a", "b")).add("short", 1.0));
        assertTrue(e.getMessage().contains("'short'"), e.getMessage());
    }

    @Test
    void lossCurvesReadTheMetricsLog() throws IOException {
        Path metrics = dir.resolve("metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(metrics, 0)) {
            for (int step = 10; step <= 500; step += 10) {
                Map<String, Double> v = new LinkedHashMap<>();
                v.put("loss", 1.0 / step);
                v.put("lr", 1e-4);
                log.log(step, 0, v);
            }
        }
        Path png = dir.resolve("loss.png");
        LossCurves.write(metrics, png, true);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(800, img.getWidth());
        assertTrue(hasColour(img, 0x1f77b4) && hasColour(img, 0xff7f0e));
        // m1 = 0.1 * 1, m2 = 0.9 m1 + 0.1 * 2; debiased by 1 - 0.9^n; NaN is skipped
        assertArrayEquals(new double[] {1, Double.NaN, (0.9 * 0.1 + 0.1 * 2) / (1 - 0.81)},
                LossCurves.smooth(new double[] {1, Double.NaN, 2}, 0.9), 1e-12);
    }
}
