package dev.usp.app.bench;

import dev.usp.core.engine.Kernels;
import dev.usp.core.engine.MallocTuning;
import dev.usp.core.engine.MklDispatch;
import dev.usp.core.engine.Numerics;
import dev.usp.core.engine.ProcessMemory;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Times a workload: warm-up units, then timed units; reports the median unit time and the
 * process's peak resident set (VmHWM), so each configuration must run in its own process.
 *
 * @param row       the row name
 * @param medianS   median seconds per unit over the timed units
 * @param timesS    every timed unit's seconds
 * @param items     items per unit
 * @param unit      throughput unit
 * @param flops     analytic FLOPs per unit
 * @param peakRssMb VmHWM in MiB after the run
 * @param conv      the convolution kernels in use ({@link Numerics#PROPERTY}, bench.sh {@code --conv})
 * @param kernels   fused or composed ({@link Kernels#PROPERTY}, bench.sh {@code --kernels})
 * @param mkl       oneMKL's code path and why ({@link MklDispatch#PROPERTY}, bench.sh {@code --mkl})
 * @param malloc    glibc's malloc setting ({@link MallocTuning#PROPERTY}, bench.sh {@code --malloc})
 */
record Measurement(String row, double medianS, double[] timesS, double items, String unit, double flops,
                   double peakRssMb, String conv, String kernels, String mkl,
                   String malloc) {

    /** Runs {@code warmup} untimed and {@code steps} timed units of {@code w}. */
    static Measurement run(String row, Workload w, int warmup, int steps) {
        for (int i = 0; i < warmup; i++) {
            w.step();
        }
        double[] times = new double[steps];
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            w.step();
            times[i] = (System.nanoTime() - t0) / 1e9;
        }
        return new Measurement(row, median(times), times, w.itemsPerStep(), w.unit(), w.flopsPerStep(), readPeakRssMb(),
                Numerics.selectKernels().id(), Kernels.fused() ? "fused" : "composed", mklPath(),
                MallocTuning.apply().split(" ")[0]);
    }

    private static String mklPath() {
        MklDispatch.Report r = MklDispatch.apply();
        return r.codePath() + " (" + r.outcome().id() + ")";
    }

    /** The median of the values (mean of the middle two for an even count). */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** This process's peak resident set in MiB, from {@code /proc/self/status} (NaN when unavailable). */
    static double readPeakRssMb() {
        try {
            return ProcessMemory.peakRssKb() / 1024.0;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** One JSON line that scripts/bench/report.py reads (the Python side prints the same keys). */
    String toJson() {
        StringBuilder t = new StringBuilder();
        for (int i = 0; i < timesS.length; i++) {
            t.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.6f", timesS[i]));
        }
        return String.format(Locale.ROOT, "{\"row\": \"%s\", \"side\": \"java\", \"median_s\": %.6f, \"times_s\": [%s],"
                + " \"items\": %.1f, \"unit\": \"%s\", \"flops\": %.6e, \"peak_rss_mb\": %.1f, \"conv\": \"%s\","
                + " \"kernels\": \"%s\", \"mkl\": \"%s\", \"malloc\": \"%s\"}", row, medianS, t, items, unit, flops,
                peakRssMb, conv, kernels, mkl, malloc);
    }
}
