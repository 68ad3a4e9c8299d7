package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * PyTorch's {@code nn.LayerNorm} over the last axis: {@code weight} and {@code bias} (dim) when
 * affine; a non-affine norm has no tensors in the state dict.
 */
public final class LayerNorm extends Module {

    private final long dim;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;
    private final NDArray ones;
    private final NDArray zeros;

    /** Creates a norm over a last axis of size {@code dim}. */
    public LayerNorm(NDManager manager, long dim, double eps, boolean affine) {
        super(manager);
        this.dim = dim;
        this.eps = (float) eps;
        if (affine) {
            weight = addParameter("weight", manager.ones(new Shape(dim)));
            bias = addParameter("bias", manager.zeros(new Shape(dim)));
            ones = null;
            zeros = null;
        } else {
            weight = null;
            bias = null;
            ones = manager.ones(new Shape(dim));
            zeros = manager.zeros(new Shape(dim));
        }
    }

    /** (..., dim) -> (..., dim). */
    public NDArray forward(NDArray x) {
        NDArray gamma = weight == null ? ones : weight.array();
        NDArray beta = bias == null ? zeros : bias.array();
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(dim), gamma, beta, eps).head();
    }

    /** True when the norm has a learned scale and shift. */
    public boolean isAffine() {
        return weight != null;
    }
}
