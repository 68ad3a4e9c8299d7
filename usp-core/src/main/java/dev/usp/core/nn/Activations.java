package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.usp.core.engine.Scalars;

/** The activations the models use, with PyTorch's exact formulas. */
public final class Activations {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private Activations() {
    }

    /** {@code nn.GELU()}: x * Phi(x) with the error function. */
    public static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    /**
     * {@code nn.GELU(approximate="tanh")}, which DiT's MLP uses:
     * 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). DJL has no such op; differs from
     * {@link #gelu} by up to 5e-4.
     */
    public static NDArray geluTanh(NDArray x) {
        // Out-of-place ops only: tanh's backward needs its own output unmodified.
        // Scalars: autograd keeps these numbers for the backward (see Scalars on DJL's op(Number))
        NDArray inner = Scalars.mul(Scalars.mul(Scalars.pow(x, 3), 0.044715).add(x), SQRT_2_OVER_PI).tanh();
        return Scalars.mul(inner.add(1.0).mul(x), 0.5);
    }

    /**
     * {@code nn.SiLU()}: x * sigmoid(x). Not DJL's {@code Activation.swish(x, 1f)}: that computes
     * {@code x.mul(1f)}, whose scalar autograd keeps without keeping its memory (see {@link Scalars}).
     */
    public static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }
}
