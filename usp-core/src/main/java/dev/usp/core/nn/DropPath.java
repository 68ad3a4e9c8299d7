package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.engine.Scalars;

/** Stochastic depth (timm's {@code drop_path}): drops a residual branch per sample and rescales the rest. */
public final class DropPath {

    private DropPath() {
    }

    /**
     * Applies drop path to a residual branch {@code x} of shape (B, ...).
     *
     * @param prob the drop probability; 0 or not training returns {@code x} unchanged
     */
    public static NDArray apply(NDArray x, double prob, boolean training) {
        if (prob <= 0 || !training) {
            return x;
        }
        double keep = 1.0 - prob;
        long[] dims = new long[x.getShape().dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = x.getShape().get(0);
        NDArray mask = x.getManager().randomUniform(0f, 1f, new Shape(dims), x.getDataType())
                .lt(keep).toType(x.getDataType(), false);
        return Scalars.div(x.mul(mask), keep);
    }
}
