package dev.usp.vae;

import dev.usp.core.engine.NoAutograd;
import ai.djl.ndarray.NDArray;

/** Turns sampled latents into images in [-1, 1]. */
@NoAutograd("turns sampled latents into images for previews and metrics")
public final class LatentImages {

    private LatentImages() {
    }

    /**
     * Decodes scaled latents (N, z, h, w) with {@code vae} after dividing by {@code scaleFactor},
     * clipped to [-1, 1]; without a VAE, the first three latent channels (one when there are fewer)
     * halved and clipped, a rough look at the latents. The result is in the latents' manager.
     */
    public static NDArray decode(AutoencoderKL vae, NDArray latents, double scaleFactor) {
        if (vae == null) {
            long c = latents.getShape().get(1) >= 3 ? 3 : 1;
            return latents.get(":, 0:" + c).div(2).clip(-1, 1);
        }
        return vae.decode(latents.div(scaleFactor)).clip(-1, 1);
    }
}
