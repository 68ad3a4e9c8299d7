package dev.usp.eval.metrics;

import dev.usp.eval.io.NpyArray;
import dev.usp.eval.io.NpyHeader;
import dev.usp.eval.io.NpzFile;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Feature vectors, one per row, as float32 row-major data (N, D): Inception pool features,
 * spatial features or softmax predictions. Metrics compute on them in double precision.
 */
public final class FeatureMatrix {

    private final int rows;
    private final int dim;
    private final float[] data;

    /** Wraps row-major data (not copied) of {@code rows} vectors of {@code dim} values. */
    public FeatureMatrix(int rows, int dim, float[] data) {
        if (rows < 0 || dim <= 0 || (long) rows * dim != data.length) {
            throw new IllegalArgumentException("features (" + rows + ", " + dim + ") need " + (long) rows * dim
                    + " values, got " + data.length);
        }
        this.rows = rows;
        this.dim = dim;
        this.data = data;
    }

    /** Copies rows of equal length. */
    public static FeatureMatrix of(float[][] vectors) {
        int dim = vectors.length == 0 ? 1 : vectors[0].length;
        float[] data = new float[vectors.length * dim];
        for (int i = 0; i < vectors.length; i++) {
            if (vectors[i].length != dim) {
                throw new IllegalArgumentException("row " + i + " has " + vectors[i].length + " values, row 0 has " + dim);
            }
            System.arraycopy(vectors[i], 0, data, i * dim, dim);
        }
        return new FeatureMatrix(vectors.length, dim, data);
    }

    /** A 2-D numeric array (N, D); float64 values are rounded to float32. */
    public static FeatureMatrix fromNpy(NpyArray array, String where) {
        NpyHeader h = array.header();
        if (h.rank() != 2) {
            throw new IllegalArgumentException(where + ": features must be 2-D (N, D), got " + h);
        }
        long[] s = h.shape();
        return new FeatureMatrix((int) s[0], (int) s[1], array.toFloatArray());
    }

    /** Reads the features stored under {@code key} of an .npz file. */
    public static FeatureMatrix read(Path npz, String key) throws IOException {
        try (NpzFile f = NpzFile.open(npz)) {
            return fromNpy(f.read(key), npz + " [" + key + "]");
        }
    }

    /** As a float32 array (N, D), e.g. to save with {@link dev.usp.eval.io.NpzWriter}. */
    public NpyArray toNpy() {
        return NpyArray.of(data, rows, dim);
    }

    public int rows() {
        return rows;
    }

    public int dim() {
        return dim;
    }

    /** The row-major values (not a copy). */
    public float[] data() {
        return data;
    }

    public float get(int row, int col) {
        return data[row * dim + col];
    }

    @Override
    public String toString() {
        return "FeatureMatrix(" + rows + ", " + dim + ")";
    }
}
