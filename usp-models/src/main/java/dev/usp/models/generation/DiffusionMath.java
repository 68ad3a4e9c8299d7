package dev.usp.models.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import dev.usp.core.engine.Scalars;

/** Gaussian helpers of ADM's {@code diffusion_utils}: KL, discretised likelihood, flat means. */
public final class DiffusionMath {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private DiffusionMath() {
    }

    /** KL(N(mean1, e^logvar1) || N(mean2, e^logvar2)), element-wise; all four of one shape. */
    public static NDArray normalKl(NDArray mean1, NDArray logvar1, NDArray mean2, NDArray logvar2) {
        NDArray ratio = logvar1.sub(logvar2).exp();
        NDArray sq = mean1.sub(mean2).square().mul(logvar2.neg().exp());
        return Scalars.mul(logvar2.sub(logvar1).add(ratio).add(sq).sub(1.0), 0.5);
    }

    /** ADM's tanh approximation of the standard normal CDF. */
    public static NDArray approxStandardNormalCdf(NDArray x) {
        NDArray inner = Scalars.mul(x.add(Scalars.mul(Scalars.pow(x, 3), 0.044715)), SQRT_2_OVER_PI);
        return Scalars.mul(inner.tanh().add(1.0), 0.5);
    }

    /**
     * Log-likelihood (nats) of {@code x} (data in [-1, 1] on a 2/255 grid) under a Gaussian
     * discretised to that grid, with the edge bins open; element-wise.
     */
    public static NDArray discretizedGaussianLogLikelihood(NDArray x, NDArray means, NDArray logScales) {
        if (!x.getShape().equals(means.getShape()) || !x.getShape().equals(logScales.getShape())) {
            throw new IllegalArgumentException("shapes differ: x " + x.getShape() + ", means "
                    + means.getShape() + ", log_scales " + logScales.getShape());
        }
        NDArray centered = x.sub(means);
        NDArray invStdv = logScales.neg().exp();
        NDArray cdfPlus = approxStandardNormalCdf(centered.add(1.0 / 255.0).mul(invStdv));
        NDArray cdfMin = approxStandardNormalCdf(centered.sub(1.0 / 255.0).mul(invStdv));
        NDArray logCdfPlus = Scalars.clampMin(cdfPlus, 1e-12).log();
        NDArray logOneMinusCdfMin = Scalars.clampMin(cdfMin.neg().add(1.0), 1e-12).log();
        NDArray logCdfDelta = Scalars.clampMin(cdfPlus.sub(cdfMin), 1e-12).log();
        NDArray upper = NDArrays.where(x.gt(0.999), logOneMinusCdfMin, logCdfDelta);
        return NDArrays.where(x.lt(-0.999), logCdfPlus, upper);
    }

    /** Mean over every axis but the first: (N, ...) to (N). */
    public static NDArray meanFlat(NDArray x) {
        return x.reshape(x.getShape().get(0), -1).mean(new int[] {1});
    }
}
