package dev.usp.eval.bench;

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
            Shape s = new Shape(batch, vae.config().inChannels(), size, size);
            vae.encodeMeanLatents(m.randomUniform(-1f, 1f, s, DataType.FLOAT32));
        }
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
