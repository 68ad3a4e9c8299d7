package dev.usp.core.nn;

/**
 * The fixed 2-D sin-cos position table of MAE and DiT, computed in float64 and rounded to float32.
 *
 * <p>For a grid of G x G tokens in row-major order and width D: the first D/2 channels encode the
 * column index and the last D/2 the row index (the official code builds its grid with
 * {@code meshgrid(w, h)}); each half is [sin(pos * omega_k) for all k, then cos(pos * omega_k)]
 * with omega_k = 1 / 10000^(k / (D/4)), k = 0 .. D/4 - 1.
 */
public final class SinCosPosEmbed {

    private SinCosPosEmbed() {
    }

    /**
     * The table as a row-major float array of shape (G*G, D), or (1 + G*G, D) with a leading row
     * of zeros for the cls token.
     *
     * @throws IllegalArgumentException when D is not a multiple of 4
     */
    public static float[] table2d(int dim, int gridSize, boolean clsToken) {
        if (dim % 4 != 0) {
            throw new IllegalArgumentException("sin-cos embedding width must be a multiple of 4, got " + dim);
        }
        int offset = clsToken ? 1 : 0;
        int tokens = gridSize * gridSize;
        float[] out = new float[(tokens + offset) * dim];
        int half = dim / 2;
        int quarter = dim / 4;
        double[] omega = new double[quarter];
        for (int k = 0; k < quarter; k++) {
            omega[k] = 1.0 / Math.pow(10000.0, k / (double) quarter);
        }
        for (int row = 0; row < gridSize; row++) {
            for (int col = 0; col < gridSize; col++) {
                int base = (offset + row * gridSize + col) * dim;
                fill1d(out, base, col, omega);         // first half: column index
                fill1d(out, base + half, row, omega);  // second half: row index
            }
        }
        return out;
    }

    private static void fill1d(float[] out, int base, int pos, double[] omega) {
        int quarter = omega.length;
        for (int k = 0; k < quarter; k++) {
            double angle = pos * omega[k];
            out[base + k] = (float) Math.sin(angle);
            out[base + quarter + k] = (float) Math.cos(angle);
        }
    }
}
