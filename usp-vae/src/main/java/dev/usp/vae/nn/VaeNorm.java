package dev.usp.vae.nn;

/** The normalisation constant every LDM KL autoencoder uses. */
final class VaeNorm {

    /** GroupNorm epsilon of LDM's {@code Normalize}. */
    static final double EPS = 1e-6;

    private VaeNorm() {
    }
}
