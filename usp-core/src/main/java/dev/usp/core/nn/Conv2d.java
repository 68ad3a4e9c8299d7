package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.engine.Convolutions;

/** PyTorch's {@code nn.Conv2d} (square kernel): {@code weight} (out, in, k, k), {@code bias} (out); NCHW. */
public final class Conv2d extends Module {

    private final Parameter weight;
    private final Parameter bias;
    private final int stride;
    private final int padding;

    /** Creates a convolution with PyTorch's default init. */
    public Conv2d(NDManager manager, long in, long out, int kernel, int stride, int padding, boolean withBias) {
        super(manager);
        weight = addParameter("weight", manager.zeros(new Shape(out, in, kernel, kernel)));
        bias = withBias ? addParameter("bias", manager.zeros(new Shape(out))) : null;
        this.stride = stride;
        this.padding = padding;
        Init.pytorchDefault(weight, bias);
    }

    /** (N, in, H, W) -> (N, out, H', W'), through {@link Convolutions} (the kernels that are right on this CPU). */
    public NDArray forward(NDArray x) {
        return Convolutions.conv2d(x, weight.array(), bias == null ? null : bias.array(), stride, padding);
    }

    /** The kernel (out, in, k, k). */
    public Parameter weight() {
        return weight;
    }

    /** The bias (out), or null. */
    public Parameter bias() {
        return bias;
    }
}
