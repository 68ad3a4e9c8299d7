package dev.usp.models.mae;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.usp.core.nn.Parameter;

/**
 * Times construction and forward+backward of named MAE sizes on d8 latents (28x28x4), printing
 * the median of a few steps. Not a test. Usage: {@code MaeBenchmark [name batch steps]...},
 * default {@code vit_tiny_patch_vae 2 10 vit_base_patch_vae 2 5}. On a shared, oversubscribed
 * machine run it with {@code OMP_NUM_THREADS=1}: spinning OpenMP threads otherwise inflate the
 * times 10-20 fold.
 */
public final class MaeBenchmark {

    private MaeBenchmark() {
    }

    /** Runs the benchmark. */
    public static void main(String[] args) {
        if (args.length == 0) {
            args = new String[] {"vit_tiny_patch_vae", "2", "10", "vit_base_patch_vae", "2", "5"};
        }
        Engine.getInstance().setRandomSeed(0);
        for (int i = 0; i + 2 < args.length; i += 3) {
            run(args[i], Integer.parseInt(args[i + 1]), Integer.parseInt(args[i + 2]));
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static void run(String name, int batch, int steps) {
        try (NDManager m = NDManager.newBaseManager()) {
            long t0 = System.nanoTime();
            MaskedAutoencoder model = MaeModels.create(name, MaeOptions.d8(), m);
            double buildS = (System.nanoTime() - t0) / 1e9;
            double[] times = new double[steps];
            double[] cpu = new double[steps];
            for (int s = 0; s < steps; s++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = step.randomNormal(new Shape(batch, 4, 28, 28));
                    long t = System.nanoTime();
                    long c = processCpuNanos();
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        gc.backward(model.forward(x).loss());
                    }
                    for (Parameter p : model.trainableParameters().values()) {
                        p.array().getGradient().attach(step);
                    }
                    times[s] = (System.nanoTime() - t) / 1e9;
                    cpu[s] = (processCpuNanos() - c) / 1e9;
                }
            }
            java.util.Arrays.sort(times);
            java.util.Arrays.sort(cpu);
            System.out.printf("%s: %,d params, build %.2f s, forward+backward batch %d over %d steps: wall median %.3f s"
                    + " (min %.3f), process CPU median %.3f s%n",
                    name, model.parameterCount(), buildS, batch, steps, times[steps / 2], times[0], cpu[steps / 2]);
        }
    }
}
