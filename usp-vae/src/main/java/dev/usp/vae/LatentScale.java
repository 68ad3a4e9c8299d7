package dev.usp.vae;

import ai.djl.ndarray.NDArray;

/**
 * The latent scale factor LDM computes after training a VAE: 1 / std of posterior samples over a
 * batch of training images, so that scaled latents have unit standard deviation
 * (SD's 0.18215 came from this).
 */
public final class LatentScale {

    private LatentScale() {
    }

    /**
     * 1 / std over all elements of {@code vae.encode(images).sample()}, with noise from the engine RNG.
     *
     * @param images a representative batch (N, C, H, W) in [-1, 1], e.g. a few hundred training images
     */
    public static double estimate(AutoencoderKL vae, NDArray images) {
        NDArray z = vae.encode(images).sample();
        return 1.0 / latentStd(z);
    }

    /** The standard deviation over all elements of {@code z} (population, as {@code torch.std} for large N). */
    public static double latentStd(NDArray z) {
        NDArray centred = z.sub(z.mean());
        return Math.sqrt(centred.square().mean().getFloat());
    }
}
