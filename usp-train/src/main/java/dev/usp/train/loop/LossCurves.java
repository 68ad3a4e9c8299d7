package dev.usp.train.loop;

import dev.usp.train.report.LinePlot;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The loss-vs-steps plot of a run: the logged loss and an exponentially smoothed copy. */
public final class LossCurves {

    /** Weight of the past in the smoothed curve (TensorBoard's default smoothing). */
    public static final double SMOOTHING = 0.9;

    private LossCurves() {
    }

    /** Reads {@code metrics.jsonl} and writes the plot of its {@code loss} column to {@code png}. */
    public static void write(Path metricsJsonl, Path png, boolean logY) throws IOException {
        List<Map<String, Double>> rows = MetricsLog.read(metricsJsonl);
        double[][] loss = MetricsLog.column(rows, "loss");
        new LinePlot("training loss", "step", "loss")
                .logY(logY)
                .add("loss", loss[0], loss[1])
                .add("smoothed (" + SMOOTHING + ")", loss[0], smooth(loss[1], SMOOTHING))
                .write(png);
    }

    /**
     * Exponential moving average with bias correction, skipping non-finite values (they stay NaN
     * in the output): {@code m = a m + (1 - a) y; out = m / (1 - a^n)}.
     */
    public static double[] smooth(double[] y, double a) {
        double[] out = new double[y.length];
        double m = 0;
        int n = 0;
        for (int i = 0; i < y.length; i++) {
            if (!Double.isFinite(y[i])) {
                out[i] = Double.NaN;
                continue;
            }
            m = a * m + (1 - a) * y[i];
            n++;
            out[i] = m / (1 - Math.pow(a, n));
        }
        return out;
    }
}
