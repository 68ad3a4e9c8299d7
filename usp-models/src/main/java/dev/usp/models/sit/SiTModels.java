package dev.usp.models.sit;

import ai.djl.ndarray.NDManager;
import dev.usp.models.dit.DiTModels;

/** Builds the named SiT sizes of {@link DiTModels} ({@code SiT-XL/2}, {@code SiT-B/2-VAE-simple}, ...). */
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
}
