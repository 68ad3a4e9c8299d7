package dev.usp.models.dit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.usp.core.nn.Parameter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Not a unit test: forward + backward of a DiT at batch 2 on 32x32x4 latents, printing ms per
 * iteration and the process RSS (VmRSS) at chosen iterations, to show that per-step scopes keep
 * native memory flat. Arguments: [model name, default DiT-B/2] [iterations, default 200].
 */
public final class DiTBenchmark {

    private DiTBenchmark() {
    }

    /** Runs the benchmark. */
    public static void main(String[] args) throws IOException {
        String name = args.length > 0 ? args[0] : "DiT-B/2";
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Engine.getInstance().setRandomSeed(0);
        try (NDManager root = NDManager.newBaseManager(); DiT model = DiTModels.create(root.newSubManager(), name)) {
            model.train(true);
            int arrays = model.manager().getManagedArrays().size();
            System.out.printf("%s: %,d parameters, %d arrays in the model manager, RSS %d MB%n",
                    name, model.parameterCount(), arrays, rssMb());
            long start = System.nanoTime();
            long lastTime = start;
            int lastIteration = 0;
            for (int i = 1; i <= iterations; i++) {
                try (NDManager step = model.manager().newSubManager();
                     GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray x = step.randomNormal(new Shape(2, 4, 32, 32));
                    NDArray t = step.randomInteger(0, 1000, new Shape(2), DataType.INT64);
                    NDArray y = step.randomInteger(0, 1000, new Shape(2), DataType.INT64);
                    NDArray loss = model.forward(x, t, y).get(":, 0:4").sub(x).square().mean();
                    gc.backward(loss);
                    for (Parameter p : model.trainableParameters().values()) {
                        p.array().getGradient().attach(step);
                    }
                }
                if (i == 20 || i == iterations || i % 50 == 0) {
                    long now = System.nanoTime();
                    System.out.printf("iteration %d: RSS %d MB, model arrays %d, %.1f ms/iteration since iteration %d%n",
                            i, rssMb(), model.manager().getManagedArrays().size(),
                            (now - lastTime) / 1e6 / (i - lastIteration), lastIteration);
                    lastTime = now;
                    lastIteration = i;
                }
            }
            System.out.printf("mean %.1f ms/iteration over %d iterations%n",
                    (System.nanoTime() - start) / 1e6 / iterations, iterations);
        }
    }

    private static long rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
