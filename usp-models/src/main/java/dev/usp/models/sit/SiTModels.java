package dev.usp.models.sit;

import ai.djl.ndarray.NDManager;
import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTConfig;
import dev.usp.models.dit.DiTModels;

/**
 * Builds the named SiT sizes of {@link DiTModels} ({@code SiT-XL/2}, {@code SiT-B/2-VAE-simple}, ...),
 * and either family from its name ({@link #generator}).
 */
public final class SiTModels {

    private SiTModels() {
    }

    /**
     * Builds a named SiT with the official defaults.
     *
     * @throws IllegalArgumentException for an unknown or a DiT name
     */
    public static SiT create(NDManager manager, String name) {
        if (!DiTModels.isSiT(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a SiT model name (SiT-<size>/<patch>[-VAE-simple])");
        }
        return new SiT(manager, DiTModels.config(name));
    }

    /**
     * The generator of that name, a {@link SiT} for SiT names and a {@link DiT} otherwise, on latents
     * of {@code latentSize} x {@code latentSize} x {@code latentChannels} with {@code numClasses}
     * labels, with the official init; what the trainer trains and the sampler loads.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public static DiT generator(NDManager manager, String name, int latentSize, int latentChannels, int numClasses,
                                double classDropout) {
        DiTConfig shape = DiTModels.config(name).toBuilder().inputSize(latentSize).inChannels(latentChannels)
                .numClasses(numClasses).classDropoutProb(classDropout).build();
        return DiTModels.isSiT(name) ? new SiT(manager, shape) : new DiT(manager, shape);
    }
}
