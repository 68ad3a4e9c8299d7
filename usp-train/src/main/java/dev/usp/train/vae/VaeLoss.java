package dev.usp.train.vae;

import ai.djl.ndarray.NDArray;
import dev.usp.core.engine.Scalars;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.DiagonalGaussian;

/**
 * The VAE's training loss: encode, decode a posterior sample, reconstruction (L1 or L2, mean over
 * pixels) + klWeight * KL / pixels per image (LDM's ratio). {@link VaeTrainer} and the
 * {@code vae-train} benchmark row compute it here.
 *
 * @param reconstruction {@code l1} or {@code l2}
 * @param klWeight weight of the KL per pixel
 */
public record VaeLoss(String reconstruction, double klWeight) {

    /**
     * The loss of one batch and its terms, in the images' manager.
     *
     * @param total the loss to minimise (scalar)
     * @param reconstruction the reconstruction term (scalar)
     * @param klPerPixel the mean KL per image divided by the pixels per image (scalar)
     */
    public record Terms(NDArray total, NDArray reconstruction, NDArray klPerPixel) {
    }

    /** Validates the reconstruction loss's name. */
    public VaeLoss {
        if (!reconstruction.equals("l1") && !reconstruction.equals("l2")) {
            throw new IllegalArgumentException("reconstruction loss '" + reconstruction + "': use l1 or l2");
        }
    }

    /** The loss {@code config} trains with. */
    public static VaeLoss of(VaeTrainConfig config) {
        return new VaeLoss(config.loss(), config.klWeight());
    }

    /** Encodes images (N, C, H, W) in [-1, 1], decodes a posterior sample, and returns the loss terms. */
    public Terms apply(AutoencoderKL vae, NDArray images) {
        DiagonalGaussian post = vae.encode(images);
        NDArray diff = vae.decode(post.sample()).sub(images);
        NDArray rec = (reconstruction.equals("l1") ? diff.abs() : diff.square()).mean();
        float pixels = images.getShape().size() / images.getShape().get(0);
        NDArray kl = Scalars.div(post.kl().mean(), pixels);
        return new Terms(rec.add(Scalars.mul(kl, klWeight)), rec, kl);
    }
}
