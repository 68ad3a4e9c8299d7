package dev.usp.vae;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Locale;

/**
 * Measures encode throughput (images/s, posterior mean materialised) with random weights:
 * the {@code cifar-d4}, {@code fmnist-d4} and {@code fmnist-tiny} presets at 32x32 in batches of
 * 64, and the {@code sd} preset at 256x256 in batches of 1; or one preset given as
 * {@code seconds preset batch size}. Not a test: run its main by hand.
 */
public final class EncodeSpeed {

    private EncodeSpeed() {
    }

    /**
     * Prints one line per configuration. Arguments: seconds per measurement (default 10), then
     * optionally a preset, batch size and image side to measure only that.
     */
    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        Engine.getInstance().setRandomSeed(0);
        if (args.length >= 4) {
            measure(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), seconds);
            return;
        }
        measure("fmnist-tiny", 64, 32, seconds);
        measure("cifar-d4", 64, 32, seconds);
        measure("fmnist-d4", 64, 32, seconds);
        measure("sd", 1, 256, seconds);
    }

    private static void measure(String preset, int batch, int size, double seconds) {
        VaeConfig config = VaeConfig.preset(preset);
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = new AutoencoderKL(m.newSubManager(), config)) {
            vae.eval();
            Shape shape = new Shape(batch, config.inChannels(), size, size);
            encodeOnce(vae, shape);
            long start = System.nanoTime();
            int images = 0;
            while (System.nanoTime() - start < seconds * 1e9 || images == 0) {
                encodeOnce(vae, shape);
                images += batch;
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "%-10s %dx%d batch %-3d %8.2f images/s (%d images in %.1f s, %d threads)%n",
                    preset, size, size, batch, images / elapsed, images, elapsed,
                    Runtime.getRuntime().availableProcessors());
        }
    }

    private static void encodeOnce(AutoencoderKL vae, Shape shape) {
        try (NDManager step = vae.manager().newSubManager()) {
            NDArray x = step.randomUniform(-1f, 1f, shape);
            vae.encode(x).mean().toFloatArray();
        }
    }
}
