package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** PyTorch's {@code nn.Linear}: {@code weight} (out, in), {@code bias} (out); y = x W^T + b over the last axis. */
public final class Linear extends Module {

    private final Parameter weight;
    private final Parameter bias;

    /** Creates a layer with PyTorch's default init. */
    public Linear(NDManager manager, long in, long out, boolean withBias) {
        super(manager);
        weight = addParameter("weight", manager.zeros(new Shape(out, in)));
        bias = withBias ? addParameter("bias", manager.zeros(new Shape(out))) : null;
        Init.pytorchDefault(weight, bias);
    }

    /** Creates a layer with a bias. */
    public Linear(NDManager manager, long in, long out) {
        this(manager, in, out, true);
    }

    /** (..., in) -> (..., out). */
    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight.array(), bias == null ? null : bias.array()).head();
    }

    /** The weight (out, in). */
    public Parameter weight() {
        return weight;
    }

    /** The bias (out), or null. */
    public Parameter bias() {
        return bias;
    }

    /** Xavier-uniform weight and zero bias, the init MAE, ViT and DiT apply to every Linear. */
    public void initXavier() {
        Init.xavierUniform(weight);
        if (bias != null) {
            Init.zeros(bias);
        }
    }

    /** Zero weight and bias (DiT's adaLN and final layers). */
    public void initZeros() {
        Init.zeros(weight);
        if (bias != null) {
            Init.zeros(bias);
        }
    }
}
