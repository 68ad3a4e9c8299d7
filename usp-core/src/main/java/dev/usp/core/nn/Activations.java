package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

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
        NDArray inner = x.pow(3).mul(0.044715).add(x).mul(SQRT_2_OVER_PI).tanh();
        return inner.add(1.0).mul(x).mul(0.5);
    }

    /** {@code nn.SiLU()}: x * sigmoid(x). */
    public static NDArray silu(NDArray x) {
        return Activation.swish(x, 1f);
    }
}
