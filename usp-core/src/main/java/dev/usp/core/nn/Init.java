package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;

/** Weight initialisers with PyTorch's formulas ({@code torch.nn.init}), drawn from the engine RNG. */
public final class Init {

    private Init() {
    }

    /** {@code xavier_uniform_}: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), fans as PyTorch computes them. */
    public static void xavierUniform(Parameter p) {
        Shape s = p.shape();
        long receptive = 1;
        for (int i = 2; i < s.dimension(); i++) {
            receptive *= s.get(i);
        }
        long fanIn = s.get(1) * receptive;
        long fanOut = s.get(0) * receptive;
        double a = Math.sqrt(6.0 / (fanIn + fanOut));
        uniform(p, -a, a);
    }

    /**
     * {@code xavier_uniform_} on the weight viewed as 2-D {@code (out, in*k*k)}, as MAE and DiT
     * initialise the patch-embedding convolution.
     */
    public static void xavierUniformFlat(Parameter p) {
        Shape s = p.shape();
        long fanOut = s.get(0);
        long fanIn = s.size() / fanOut;
        double a = Math.sqrt(6.0 / (fanIn + fanOut));
        uniform(p, -a, a);
    }

    /** Fills with U(low, high). */
    public static void uniform(Parameter p, double low, double high) {
        NDArray a = p.array();
        p.replace(a.getManager().randomUniform((float) low, (float) high, a.getShape(), a.getDataType()));
    }

    /** Fills with N(0, std). */
    public static void normal(Parameter p, double std) {
        NDArray a = p.array();
        p.replace(a.getManager().randomNormal(0f, (float) std, a.getShape(), a.getDataType()));
    }

    /** Fills with a constant. */
    public static void constant(Parameter p, double value) {
        NDArray a = p.array();
        p.replace(a.getManager().full(a.getShape(), (float) value, a.getDataType()));
    }

    /** Fills with zeros. */
    public static void zeros(Parameter p) {
        constant(p, 0.0);
    }

    /**
     * {@code trunc_normal_(std)} with PyTorch's defaults (cut at +-2 absolute, not +-2 std):
     * normal draws, redrawn until inside the cut.
     */
    public static void truncNormal(Parameter p, double std) {
        NDArray a = p.array();
        try (var scope = a.getManager().newSubManager()) {
            NDArray x = scope.randomNormal(0f, (float) std, a.getShape(), a.getDataType());
            for (int i = 0; i < 100; i++) {
                NDArray bad = x.abs().gt(2.0);
                if (!bad.any().getBoolean()) {
                    break;
                }
                NDArray redraw = scope.randomNormal(0f, (float) std, a.getShape(), a.getDataType());
                x = NDArrays.where(bad, redraw, x);
            }
            x = x.clip(-2.0, 2.0);
            x.attach(a.getManager());
            p.replace(x);
        }
    }

    /** PyTorch's default {@code nn.Linear}/{@code nn.Conv2d} init: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias. */
    public static void pytorchDefault(Parameter weight, Parameter bias) {
        Shape s = weight.shape();
        long fanIn = s.size() / s.get(0);
        double bound = 1.0 / Math.sqrt(fanIn);
        uniform(weight, -bound, bound);
        if (bias != null) {
            uniform(bias, -bound, bound);
        }
    }
}
