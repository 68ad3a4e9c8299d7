package dev.usp.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a number that is safe under autograd. DJL's {@code x.mul(Number)},
 * {@code div(Number)} and {@code pow(Number)} wrap the number in a scalar tensor that views a
 * Java direct buffer, and close it right after the op. Autograd keeps that tensor for the
 * backward pass (d(x*s)/dx = s), but once it is closed nothing keeps the buffer alive: a garbage
 * collection before the backward frees it and the gradient reads whatever reuses the memory.
 * Training then goes silently wrong, non-reproducibly (a different gradient, or a NaN one with a
 * finite loss). These methods create the scalar in engine-owned memory instead, which autograd's
 * reference keeps alive. Use them in forward code for every op whose backward needs the number.
 */
public final class Scalars {

    private Scalars() {
    }

    /**
     * A 0-d tensor of {@code value} in engine memory, in {@code like}'s manager, type and device
     * (as a product of an engine-made one, so that a float64 value keeps its precision).
     */
    public static NDArray of(NDArray like, double value) {
        try (NDArray one = like.getManager().ones(new Shape(), like.getDataType())) {
            NDArray s = one.mul(value);   // 0-d times a double scalar may come back as float64
            if (s.getDataType() == like.getDataType()) {
                return s;
            }
            try (s) {
                return s.toType(like.getDataType(), false);
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

    /** {@code x ^ value}. */
    public static NDArray pow(NDArray x, double value) {
        try (NDArray s = of(x, value)) {
            return x.pow(s);
        }
    }
}
