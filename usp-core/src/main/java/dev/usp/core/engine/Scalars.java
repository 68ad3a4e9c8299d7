package dev.usp.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a Java number that stays correct under autograd.
 *
 * <p>DJL's {@code x.mul(Number)}, {@code div(Number)}, {@code pow(Number)} and
 * {@code maximum(Number)} wrap the number in a scalar tensor that views a Java direct buffer
 * (libtorch {@code from_blob}) and close that tensor right after the op. Autograd keeps the
 * scalar for the backward pass (d(x*s)/dx = s), but nothing keeps its buffer alive: a garbage
 * collection between forward and backward frees it, and the backward reads freed memory. The
 * gradients then come out NaN or silently wrong while the loss looks fine. These methods put the
 * number into engine-owned memory instead, which autograd's own reference keeps alive. Use them
 * in every forward or loss computation whose backward needs the number; plain {@code add(Number)}
 * and {@code sub(Number)} are safe, as their backward does not read the number.
 */
public final class Scalars {

    private Scalars() {
    }

    /** A 0-d tensor holding {@code value}, in engine memory, in {@code like}'s manager, type and device. */
    public static NDArray of(NDArray like, double value) {
        DataType type = like.getDataType();
        try (NDArray zero = like.getManager().zeros(new Shape(), type)) {
            NDArray s = zero.add(value);   // eager: the result owns its memory, the temporary scalar is done
            if (s.getDataType() == type) {
                return s;
            }
            try (s) {                      // 0-d + 0-d promoted float32 to float64: cast back
                return s.toType(type, false);
            }
        }
    }

    /** {@code x * value}. */
    public static NDArray mul(NDArray x, double value) {
        try (NDArray s = of(x, value)) {
            return x.mul(s);
        }
    }

    /** {@code x / value}. */
    public static NDArray div(NDArray x, double value) {
        try (NDArray s = of(x, value)) {
            return x.div(s);
        }
    }

    /** {@code x ^ exponent}. */
    public static NDArray pow(NDArray x, double exponent) {
        try (NDArray s = of(x, exponent)) {
            return x.pow(s);
        }
    }

    /** {@code torch.clamp(x, min=min)}: the gradient passes where {@code x >= min}. */
    public static NDArray clampMin(NDArray x, double min) {
        return x.clip(min, Double.POSITIVE_INFINITY);
    }
}
