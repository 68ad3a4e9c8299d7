package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.usp.core.engine.Kernels;
import dev.usp.core.engine.Scalars;

/** The activations the models use, with PyTorch's exact formulas. */
public final class Activations {

    private static final double TWO_SQRT_2_OVER_PI = 2 * Math.sqrt(2.0 / Math.PI);

    private Activations() {
    }

    /** {@code nn.GELU()}: x * Phi(x) with the error function. */
    public static NDArray gelu(NDArray x) {
        return Activation.gelu(x);
    }

    /**
     * {@code nn.GELU(approximate="tanh")}, which DiT's MLP uses:
     * 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). DJL has no such op; differs from
     * {@link #gelu} by up to 5e-4. Computed as the equal x sigmoid(2 sqrt(2/pi) x (1 + 0.044715 x^2))
     * (0.5 (1 + tanh z) = sigmoid(2z)): 6 elementwise ops instead of 8, and no pow, whose
     * backward is costly (scripts/bench.sh's gelu-tanh row). With {@link Kernels#fused()}, libtorch's
     * own kernel instead: about 2x faster forward + backward, and autograd keeps only its input.
     */
    public static NDArray geluTanh(NDArray x) {
        if (Kernels.fused()) {
            return Kernels.geluTanh(x);
        }
        // Out-of-place ops only: sigmoid's backward needs its own output unmodified. The temporaries
        // are closed at once (autograd holds what it saved), so they do not stay alive until the
        // step manager closes: on DiT-S/2 that is 3 (N, T, 4D) arrays per block.
        // Scalars: a plain sq.mul(number) would leave backward a scalar that a GC can free (see Scalars).
        try (NDArray sq = x.square(); NDArray a = Scalars.mul(sq, TWO_SQRT_2_OVER_PI * 0.044715);
             NDArray b = a.add(TWO_SQRT_2_OVER_PI); NDArray z = b.mul(x); NDArray s = Activation.sigmoid(z)) {
            return s.mul(x);
        }
    }

    /**
     * {@code nn.SiLU()}: x * sigmoid(x). Two ops: DJL's {@code Activation.swish(x, 1)} computes
     * x * sigmoid(x * 1), one more pass, and its {@code x * 1} leaves backward a Java-buffer scalar
     * that a GC can free (see {@link Scalars}). With {@link Kernels#fused()}, libtorch's one kernel.
     */
    public static NDArray silu(NDArray x) {
        if (Kernels.fused()) {
            return Kernels.silu(x);
        }
        try (NDArray s = Activation.sigmoid(x)) {
            return x.mul(s);
        }
    }
}
