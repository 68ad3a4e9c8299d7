package dev.usp.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.usp.core.engine.Scalars;

/**
 * LDM's {@code DiagonalGaussianDistribution}: the posterior N(mean, exp(logvar)) given by the
 * encoder's moments (N, 2z, h, w) = mean ++ logvar, with logvar clamped to [-30, 20].
 * Arrays belong to the manager of the moments.
 */
public final class DiagonalGaussian {

    /** LDM's clamp of the log-variance. */
    public static final double LOGVAR_MIN = -30.0;
    /** LDM's clamp of the log-variance. */
    public static final double LOGVAR_MAX = 20.0;

    private final NDArray mean;
    private final NDArray logvar;
    private NDArray std;
    private NDArray var;

    /** Splits moments (N, 2z, h, w) into mean and clamped logvar (each (N, z, h, w)). */
    public static DiagonalGaussian fromMoments(NDArray moments) {
        NDList parts = moments.split(2, 1);
        return new DiagonalGaussian(parts.get(0), parts.get(1));
    }

    /** A posterior from its mean and (unclamped) log-variance, both (N, z, h, w). */
    public DiagonalGaussian(NDArray mean, NDArray logvar) {
        if (!mean.getShape().equals(logvar.getShape())) {
            throw new IllegalArgumentException(
                    "mean " + mean.getShape() + " and logvar " + logvar.getShape() + " differ in shape");
        }
        this.mean = mean;
        this.logvar = logvar.clip(LOGVAR_MIN, LOGVAR_MAX);
    }

    /** The mean (N, z, h, w). */
    public NDArray mean() {
        return mean;
    }

    /** The clamped log-variance (N, z, h, w). */
    public NDArray logvar() {
        return logvar;
    }

    /** exp(0.5 logvar). */
    public NDArray std() {
        if (std == null) {
            std = Scalars.mul(logvar, 0.5).exp();
        }
        return std;
    }

    /** exp(logvar). */
    public NDArray var() {
        if (var == null) {
            var = logvar.exp();
        }
        return var;
    }

    /** The mode, which is the mean; pretraining encodes with it. */
    public NDArray mode() {
        return mean;
    }

    /** mean + std * noise for a given standard-normal {@code noise} of the mean's shape. */
    public NDArray sample(NDArray noise) {
        if (!noise.getShape().equals(mean.getShape())) {
            throw new IllegalArgumentException("noise " + noise.getShape() + " does not match the posterior "
                    + mean.getShape());
        }
        return mean.add(std().mul(noise));
    }

    /** mean + std * eps with eps ~ N(0, 1) drawn from the engine's RNG (seed with {@code Engine.setRandomSeed}). */
    public NDArray sample() {
        NDArray noise = mean.getManager().randomNormal(mean.getShape(), mean.getDataType());
        return sample(noise);
    }

    /** KL(q || N(0, I)) per sample: 0.5 sum(mean^2 + var - 1 - logvar) over (z, h, w); shape (N). */
    public NDArray kl() {
        return Scalars.mul(mean.square().add(var()).sub(1.0).sub(logvar).sum(new int[] {1, 2, 3}), 0.5);
    }

    /** mean ++ logvar (clamped) along the channel axis: (N, 2z, h, w). */
    public NDArray moments() {
        return mean.concat(logvar, 1);
    }
}
