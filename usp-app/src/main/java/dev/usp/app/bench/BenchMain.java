package dev.usp.app.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Numerics;

/**
 * Runs one benchmark row in this process and prints one line {@code BENCH <json>} (median unit
 * time, throughput inputs, analytic FLOPs, peak RSS). scripts/bench.sh starts one process per
 * row and round, so that peak RSS is per configuration. Threads: pass
 * {@code -Dai.djl.pytorch.num_threads=T} and {@code OMP_NUM_THREADS=T}.
 *
 * <p>Usage: {@code BenchMain <row> [--warmup N] [--steps N]}, or {@code BenchMain --list}.
 */
public final class BenchMain {

    private BenchMain() {
    }

    /** Entry point. */
    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("--list")) {
            System.out.println(String.join(" ", Rows.names()));
            return;
        }
        Rows.Row row = Rows.get(args[0]);
        int warmup = row.warmup();
        int steps = row.steps();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option '" + args[i]
                        + "'; usage: BenchMain <row> [--warmup N] [--steps N]");
            }
        }
        Engine.getInstance().setRandomSeed(0);
        Numerics.selectKernels();   // engine settings (oneMKL's code path) before the first product
        try (NDManager root = NDManager.newBaseManager(); Workload w = row.factory().apply(root)) {
            System.out.println("BENCH " + Measurement.run(args[0], w, warmup, Math.max(1, steps)).toJson());
        }
    }
}
