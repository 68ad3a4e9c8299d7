package dev.usp.models.mae;

import dev.usp.core.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * USP's optional {@code --add_noise}, which the official code applies in the training loop
 * (engine_pretrain.py), not in the model: t ~ U[0.5, 1) per sample, input = sqrt(t) z +
 * sqrt(1 - t) eps, and the loss target stays the clean z.
 */
public final class LatentNoise {

    /**
     * A noised input and its clean target.
     *
     * @param input  (N, C, H, W) sqrt(t) z + sqrt(1 - t) eps
     * @param target (N, C, H, W) the clean latents z
     */
    public record Noised(NDArray input, NDArray target) {
    }

    private LatentNoise() {
    }

    /** Draws eps ~ N(0, 1) like z and t ~ U[0.5, 1) per sample in z's manager, then noises z. */
    public static Noised apply(NDArray z) {
        NDManager m = z.getManager();
        NDArray eps = m.randomNormal(0f, 1f, z.getShape(), z.getDataType());
        NDArray t = Scalars.mul(m.randomUniform(0f, 1f, new Shape(z.getShape().get(0), 1, 1, 1), z.getDataType()),
                0.5).add(0.5);
        return apply(z, t, eps);
    }

    /** Noises z with a given t (N, 1, 1, 1) and eps (like z). */
    public static Noised apply(NDArray z, NDArray t, NDArray eps) {
        NDArray input = z.mul(t.sqrt()).add(eps.mul(t.neg().add(1).sqrt()));
        return new Noised(input, z);
    }
}
