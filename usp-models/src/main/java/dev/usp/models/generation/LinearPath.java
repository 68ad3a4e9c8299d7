package dev.usp.models.generation;

import dev.usp.core.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * SiT's linear interpolant ({@code ICPlan}): x_t = alpha_t x1 + sigma_t x0 with alpha_t = t,
 * sigma_t = 1 - t, where x1 is data and x0 is Gaussian noise; t = 0 is noise, t = 1 is data.
 */
public final class LinearPath {

    private LinearPath() {
    }

    /** x_t = t x1 + (1 - t) x0 for per-sample times t (N); x0 and x1 (N, ...). */
    public static NDArray xt(NDArray t, NDArray x0, NDArray x1) {
        NDArray te = expand(t, x1);
        return x1.mul(te).add(x0.mul(te.neg().add(1.0)));
    }

    /** The velocity target u_t = d alpha x1 + d sigma x0 = x1 - x0. */
    public static NDArray ut(NDArray x0, NDArray x1) {
        return x1.sub(x0);
    }

    /**
     * The score from a velocity prediction at one time t:
     * (t v - x) / (sigma^2 - (alpha / d alpha) d sigma sigma), i.e. (t v - x) / (1 - t).
     */
    public static NDArray scoreFromVelocity(NDArray velocity, NDArray x, double t) {
        double sigma = 1 - t;
        double var = sigma * sigma + t * sigma;
        return Scalars.div(Scalars.mul(velocity, t).sub(x), var);
    }

    /**
     * The SDE diffusion coefficient w(t) of SiT's {@code compute_diffusion}.
     *
     * @param form {@code constant}, {@code SBDM}, {@code sigma}, {@code linear}, {@code decreasing}
     *     or {@code increasing-decreasing}
     * @throws IllegalArgumentException for another form
     */
    public static double diffusion(String form, double norm, double t) {
        switch (form) {
            case "constant":
                return norm;
            case "SBDM": {
                double sigma = 1 - t;
                return norm * ((1 / t) * sigma * sigma + sigma);
            }
            case "sigma":
            case "linear":
                return norm * (1 - t);
            case "decreasing": {
                double c = norm * Math.cos(Math.PI * t) + 1;
                return 0.25 * c * c;
            }
            case "increasing-decreasing": {
                double s = Math.sin(Math.PI * t);
                return norm * s * s;
            }
            default:
                throw new IllegalArgumentException("unknown diffusion form '" + form
                        + "' (constant, SBDM, sigma, linear, decreasing, increasing-decreasing)");
        }
    }

    /** t (N) reshaped to (N, 1, ..., 1) to broadcast against x. */
    static NDArray expand(NDArray t, NDArray x) {
        long[] shape = new long[x.getShape().dimension()];
        Arrays.fill(shape, 1);
        shape[0] = t.getShape().get(0);
        return t.reshape(new Shape(shape));
    }
}
