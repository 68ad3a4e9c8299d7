package dev.usp.app.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;

/** VAE encoding as the latent cache does it: posterior mean of a batch of images, no gradients. */
final class VaeEncode implements Workload {

    private final AutoencoderKL vae;
    private final int size;
    private final int batch;

    /** A randomly initialised VAE of the named preset, encoding {@code batch} images of side {@code size}. */
    VaeEncode(NDManager root, String preset, int size, int batch) {
        this.vae = new AutoencoderKL(root.newSubManager(), VaeConfig.preset(preset));
        vae.eval();
        this.size = size;
        this.batch = batch;
    }

    @Override
    public void step() {
        try (NDManager m = vae.manager().newSubManager()) {
            vae.encodeMeanLatents(images(m, vae.config(), batch, size));
        }
    }

    /** {@code batch} random images of side {@code size} in [-1, 1], as the VAE of {@code c} takes them. */
    static NDArray images(NDManager m, VaeConfig c, int batch, int size) {
        return m.randomUniform(-1f, 1f, new Shape(batch, c.inChannels(), size, size), DataType.FLOAT32);
    }

    @Override
    public double itemsPerStep() {
        return batch;
    }

    @Override
    public String unit() {
        return "images/s";
    }

    @Override
    public double flopsPerStep() {
        return Flops.vaeEncoder(vae.config(), batch, size);
    }

    @Override
    public void close() {
        vae.close();
    }
}
