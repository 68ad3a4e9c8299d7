package dev.usp.models.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.engine.HostArrays;

import java.util.Arrays;

/**
 * The samplers' Java numbers as engine arrays, several at a time: one array made from Java data
 * and split into views costs one transfer and one split instead of one transfer (create, copy,
 * free) per number. On small tensors (a DDPM step on a few KB) those calls, not the arithmetic,
 * are what a step costs.
 *
 * <p>Values are rounded to the array's type once, as libtorch rounds a float64 scalar operand,
 * so {@code x.mul(view)} gives the same bits as {@code x.mul(number)}. The views live in engine
 * memory (safe under autograd) and in {@code like}'s manager.
 */
final class Coefficients {

    private Coefficients() {
    }

    /**
     * Per-sample columns, each of length N, as views of shape (N, 1, ..., 1) with {@code like}'s
     * rank, so that they broadcast over (N, ...). One column needs no split: it is the array itself.
     */
    static NDList columns(NDArray like, double[]... columns) {
        int k = columns.length;
        int n = columns[0].length;
        int dims = like.getShape().dimension();
        if (k > 1 && dims < 2) {
            throw new IllegalArgumentException("several per-sample columns need an array of rank >= 2, got "
                    + like.getShape());
        }
        double[] values = new double[n * k];
        for (int j = 0; j < k; j++) {
            if (columns[j].length != n) {
                throw new IllegalArgumentException("column " + j + " has " + columns[j].length + " values, not " + n);
            }
            for (int i = 0; i < n; i++) {
                values[i * k + j] = columns[j][i];
            }
        }
        long[] shape = new long[dims];
        Arrays.fill(shape, 1);
        shape[0] = n;
        if (k > 1) {
            shape[1] = k;
        }
        NDArray block = array(like, values, new Shape(shape));
        if (k == 1) {
            return new NDList(block);
        }
        try (block) {
            return block.split(k, 1);
        }
    }

    /** Numbers as views of shape (1), which broadcast over any array. */
    static NDList scalars(NDArray like, double... values) {
        NDArray block = array(like, values, new Shape(values.length));
        if (values.length == 1) {
            return new NDList(block);
        }
        try (block) {
            return block.split(values.length, 0);
        }
    }

    /** {@code values} in {@code like}'s type and manager: float64 as they are, other types through float32. */
    private static NDArray array(NDArray like, double[] values, Shape shape) {
        NDManager m = like.getManager();
        if (like.getDataType() == DataType.FLOAT64) {
            return HostArrays.doubles(m, values, shape);
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        NDArray out = HostArrays.floats(m, f, shape);
        if (like.getDataType() == DataType.FLOAT32) {
            return out;
        }
        try (out) {
            return out.toType(like.getDataType(), false);
        }
    }
}
