package dev.usp.train.vae;

import dev.usp.core.engine.NoAutograd;
import ai.djl.ndarray.NDArray;

/**
 * Peak signal-to-noise ratio of reconstructions, with pixels mapped from [-1, 1] to [0, 1] (peak 1):
 * PSNR = 10 log10(1 / MSE).
 */
@NoAutograd("an evaluation metric")
public final class Psnr {

    private Psnr() {
    }

    /** 10 log10(1 / mse) for an MSE over [0, 1] pixels. */
    public static double fromMse(double mse) {
        return 10 * Math.log10(1 / mse);
    }

    /**
     * The sum over all elements of the squared difference of {@code a} and {@code b} in [0, 1]
     * units, after clamping both to [-1, 1]: sum(((a - b) / 2)^2). Divide a total of these by the
     * element count for the MSE.
     */
    public static double squaredErrorSum01(NDArray a, NDArray b) {
        NDArray d = a.clip(-1f, 1f).sub(b.clip(-1f, 1f)).div(2f);
        return d.square().sum().getFloat();
    }

    /** PSNR of one pair of image batches in [-1, 1] (MSE over all their pixels). */
    public static double of(NDArray a, NDArray b) {
        return fromMse(squaredErrorSum01(a, b) / a.getShape().size());
    }
}
