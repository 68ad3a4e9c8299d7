package dev.usp.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.Buffer;

/**
 * The one way Java data becomes an engine array: copied into memory that libtorch owns.
 *
 * <p>DJL's {@code NDManager.create(float[]/long[]/Buffer, ...)} wraps a Java direct buffer without
 * copying (libtorch {@code from_blob}). The memory lives only as long as that Java array object:
 * a view of it ({@code reshape}, {@code get}, {@code split}), or an autograd graph that saved it,
 * reads freed memory once the object is closed or collected. Every array made here is a clone in
 * engine memory, and the Java buffer is dropped before the method returns, so nothing the engine
 * keeps can point at Java memory. The build rule in {@code EngineSafetyRulesTest} allows
 * {@code NDManager.create} with Java data only in this class.
 */
public final class HostArrays {

    private HostArrays() {
    }

    /** A float32 array of {@code shape} holding {@code data} (row-major). */
    public static NDArray floats(NDManager manager, float[] data, Shape shape) {
        return owned(manager.create(data, shape));
    }

    /** A 1-d float32 array holding {@code data}. */
    public static NDArray floats(NDManager manager, float[] data) {
        return floats(manager, data, new Shape(data.length));
    }

    /** A float64 array of {@code shape} holding {@code data}. */
    public static NDArray doubles(NDManager manager, double[] data, Shape shape) {
        return owned(manager.create(data, shape));
    }

    /** An int64 array of {@code shape} holding {@code data}. */
    public static NDArray longs(NDManager manager, long[] data, Shape shape) {
        return owned(manager.create(data, shape));
    }

    /** A 1-d int64 array holding {@code data}. */
    public static NDArray longs(NDManager manager, long[] data) {
        return longs(manager, data, new Shape(data.length));
    }

    /** A 1-d int32 array holding {@code data}. */
    public static NDArray ints(NDManager manager, int[] data) {
        return owned(manager.create(data));
    }

    /** A 1-d boolean array holding {@code data}. */
    public static NDArray booleans(NDManager manager, boolean[] data) {
        return owned(manager.create(data));
    }

    /** An array of {@code shape} and {@code type} holding the remaining bytes/values of {@code data}. */
    public static NDArray of(NDManager manager, Buffer data, Shape shape, DataType type) {
        return owned(manager.create(data, shape, type));
    }

    /**
     * A copy of {@code view} in engine memory; the view is closed. An array created on a GPU is a
     * copy in device memory already and is returned as it is.
     */
    private static NDArray owned(NDArray view) {
        if (view.getDevice().isGpu()) {
            return view;
        }
        try (view) {
            return view.duplicate();
        }
    }
}
