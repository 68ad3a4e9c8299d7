package dev.usp.train.optim;

import dev.usp.core.engine.NoAutograd;
import ai.djl.ndarray.NDArray;
import dev.usp.core.nn.Parameter;

import java.util.Map;

/** Gradient norms as PyTorch's {@code clip_grad_norm_} and MAE's {@code get_grad_norm_} compute them. */
@NoAutograd("scales gradients in place after the backward, outside any GradientCollector")
public final class GradClip {

    private GradClip() {
    }

    /** The total L2 norm of the trainable parameters' gradients: sqrt(sum of squared per-tensor norms). */
    public static double gradNorm(Map<String, Parameter> params) {
        double sum = 0;
        for (Parameter p : params.values()) {
            if (p.isTrainable()) {
                try (NDArray g = p.array().getGradient()) {
                    double n = norm(g);
                    sum += n * n;
                }
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * {@code torch.nn.utils.clip_grad_norm_}: scales every gradient in place by
     * min(1, maxNorm / (total + 1e-6)).
     *
     * @return the total norm before clipping
     */
    public static double clipGradNorm(Map<String, Parameter> params, double maxNorm) {
        double total = gradNorm(params);
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1.0) {
            for (Parameter p : params.values()) {
                if (p.isTrainable()) {
                    try (NDArray g = p.array().getGradient()) {
                        g.muli(coef);
                    }
                }
            }
        }
        return total;
    }

    private static double norm(NDArray g) {
        try (NDArray n = g.norm()) {
            return n.getFloat();
        }
    }
}
