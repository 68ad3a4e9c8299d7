package dev.usp.core.nn;

import dev.usp.core.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * PyTorch's {@code F.interpolate(x, size, mode="bicubic", align_corners=False)} (no antialias) as
 * two interpolation matrices: out = Mh x Mw^T over the last two axes. Exact to float rounding and
 * differentiable. DJL's own bicubic is anti-aliased and differs (see DJL-NOTES).
 *
 * <p>Per axis, output index i samples the source at s = (i + 0.5) * in / out - 0.5; with
 * f = floor(s), t = s - f, the four taps f-1 .. f+2 (clamped into the input) get Keys' cubic
 * convolution weights with A = -0.75, PyTorch's constant.
 */
public final class BicubicResize {

    private static final double A = -0.75;

    private BicubicResize() {
    }

    /** (..., H, W) -> (..., outH, outW), e.g. (N, C, H, W). The result belongs to {@code x}'s manager. */
    public static NDArray resize(NDArray x, int outH, int outW) {
        Shape s = x.getShape();
        int dims = s.dimension();
        if (dims < 2) {
            throw new IllegalArgumentException("bicubic resize needs at least (H, W), got " + s);
        }
        int h = Math.toIntExact(s.get(dims - 2));
        int w = Math.toIntExact(s.get(dims - 1));
        NDManager m = x.getManager();
        NDArray mh = HostArrays.floats(m, matrix(h, outH), new Shape(outH, h)).toType(x.getDataType(), false);
        NDArray mwT = HostArrays.floats(m, matrix(w, outW), new Shape(outW, w)).toType(x.getDataType(), false).transpose();
        return mh.matMul(x).matMul(mwT);   // (outH, H) @ (..., H, W) @ (W, outW)
    }

    /**
     * The (out, in) interpolation matrix of one axis, row-major: row i holds the weights that
     * output index i gives to each input index.
     */
    public static float[] matrix(int in, int out) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("sizes must be positive, got in " + in + ", out " + out);
        }
        // PyTorch's area_pixel_compute_scale in float: input / output.
        float scale = (float) in / out;
        double[] acc = new double[out * in];
        for (int i = 0; i < out; i++) {
            float src = scale * (i + 0.5f) - 0.5f;   // not clamped at 0 for cubic, as PyTorch
            int f = (int) Math.floor(src);
            double t = src - f;
            double[] wts = {
                far(t + 1.0), near(t), near(1.0 - t), far(2.0 - t)
            };
            for (int k = 0; k < 4; k++) {
                int idx = Math.min(Math.max(f - 1 + k, 0), in - 1);
                acc[i * in + idx] += wts[k];
            }
        }
        float[] outM = new float[acc.length];
        for (int i = 0; i < acc.length; i++) {
            outM[i] = (float) acc[i];
        }
        return outM;
    }

    /** Cubic convolution weight for |x| <= 1. */
    private static double near(double x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    /** Cubic convolution weight for 1 < |x| < 2. */
    private static double far(double x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }
}
