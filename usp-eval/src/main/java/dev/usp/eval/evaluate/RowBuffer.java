package dev.usp.eval.evaluate;

import dev.usp.eval.metrics.FeatureMatrix;

import java.util.Arrays;

/** Rows of equal length appended batch by batch, then taken as a {@link FeatureMatrix}. */
final class RowBuffer {

    private final String what;
    private float[] data = new float[0];
    private int rows;
    private int dim = -1;

    RowBuffer(String what) {
        this.what = what;
    }

    /** Appends {@code n} rows of {@code values.length / n} values; every batch must have the same row length. */
    void append(float[] values, int n) {
        int d = n == 0 ? 0 : values.length / n;
        if (dim >= 0 && d != dim) {
            throw new IllegalStateException(what + ": a batch has rows of " + d + " values after rows of " + dim);
        }
        dim = d;
        int need = (rows + n) * d;
        if (need > data.length) {
            data = Arrays.copyOf(data, Math.max(need, 2 * data.length));
        }
        System.arraycopy(values, 0, data, rows * d, values.length);
        rows += n;
    }

    FeatureMatrix result() {
        return new FeatureMatrix(rows, Math.max(dim, 0), Arrays.copyOf(data, rows * Math.max(dim, 0)));
    }
}
