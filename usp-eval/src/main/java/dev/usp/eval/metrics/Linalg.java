package dev.usp.eval.metrics;

import org.ejml.EjmlParameters;
import org.ejml.data.DMatrixRBlock;
import org.ejml.data.DMatrixRMaj;
import org.ejml.data.DSubmatrixD1;
import org.ejml.dense.block.MatrixMult_DDRB;
import org.ejml.dense.block.MatrixOps_DDRB;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

import java.util.Arrays;

/**
 * The few dense double-precision operations the metrics (and {@code dev.usp.eval.knn}) need, on
 * EJML (pure Java). Products go through EJML's block format ({@link DMatrixRBlock}, square blocks
 * of {@link EjmlParameters#BLOCK_WIDTH}): its cache-blocked kernels ran 2.5x faster than EJML's
 * row-major ones on 2048 x 2048 operands here. Conversions between the formats are in place.
 */
public final class Linalg {

    private static final int BLOCK = EjmlParameters.BLOCK_WIDTH;

    private Linalg() {
    }

    /** Rows [from, to) of the features as a double matrix (to - from, D) in block format. */
    public static DMatrixRBlock rows(FeatureMatrix f, int from, int to) {
        return centredRows(f, from, to, new double[f.dim()]);
    }

    /** Rows [from, to) of the features minus {@code mean} (D), as a double matrix (to - from, D) in block format. */
    static DMatrixRBlock centredRows(FeatureMatrix f, int from, int to, double[] mean) {
        int d = f.dim();
        double[] v = new double[(to - from) * d];
        float[] src = f.data();
        for (int i = 0, o = from * d; i < v.length; ) {
            for (int j = 0; j < d; j++, i++, o++) {
                v[i] = src[o] - mean[j];
            }
        }
        return block(DMatrixRMaj.wrap(to - from, d, v));
    }

    /** The matrix in block format; {@code m} is consumed (its array is reordered and reused). */
    public static DMatrixRBlock block(DMatrixRMaj m) {
        return MatrixOps_DDRB.convertInplace(m, null, null);
    }

    /** The values of a block matrix in row-major order; {@code m} is consumed (its array is reused). */
    public static double[] toRowMajor(DMatrixRBlock m) {
        return MatrixOps_DDRB.convertInplace(m, null, null).data;
    }

    /** A zero matrix (rows, cols) in block format. */
    static DMatrixRBlock zeros(int rows, int cols) {
        return new DMatrixRBlock(rows, cols, BLOCK);
    }

    /** {@code a b}. */
    static DMatrixRBlock mult(DMatrixRBlock a, DMatrixRBlock b) {
        DMatrixRBlock c = zeros(a.numRows, b.numCols);
        MatrixOps_DDRB.mult(a, b, c);
        return c;
    }

    /** {@code a b^T}. */
    public static DMatrixRBlock multTransB(DMatrixRBlock a, DMatrixRBlock b) {
        DMatrixRBlock c = zeros(a.numRows, b.numRows);
        MatrixOps_DDRB.multTransB(a, b, c);
        return c;
    }

    /**
     * {@code c += a^T b} where the result is symmetric (as {@code x^T x}, or {@code a^T s a} with
     * {@code b = s a} for a symmetric s): only c's blocks on and below the diagonal are computed,
     * half the work of the whole product; {@link #symmetricToRowMajor} fills in the rest.
     */
    static void multPlusTransALower(DMatrixRBlock a, DMatrixRBlock b, DMatrixRBlock c) {
        if (a.numRows != b.numRows || a.numCols != c.numRows || b.numCols != c.numCols || c.numRows != c.numCols) {
            throw new IllegalArgumentException("c (" + c.numRows + ", " + c.numCols + ") += a^T b with a ("
                    + a.numRows + ", " + a.numCols + "), b (" + b.numRows + ", " + b.numCols + ")");
        }
        int n = c.numRows;
        for (int i = 0; i < n; i += BLOCK) {
            int i1 = Math.min(n, i + BLOCK);
            DSubmatrixD1 ai = new DSubmatrixD1(a, 0, a.numRows, i, i1);
            for (int j = 0; j <= i; j += BLOCK) {
                int j1 = Math.min(n, j + BLOCK);
                MatrixMult_DDRB.multPlusTransA(BLOCK, ai, new DSubmatrixD1(b, 0, b.numRows, j, j1),
                        new DSubmatrixD1(c, i, i1, j, j1));
            }
        }
    }

    /**
     * The row-major values of a symmetric matrix of which {@link #multPlusTransALower} computed the
     * lower triangle: the upper one is its mirror image. {@code c} is consumed.
     */
    static double[] symmetricToRowMajor(DMatrixRBlock c) {
        int n = c.numRows;
        double[] m = toRowMajor(c);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                m[j * n + i] = m[i * n + j];
            }
        }
        return m;
    }

    /**
     * Eigenvalues of a symmetric matrix (Householder tridiagonalisation, then implicit symmetric
     * QR), ascending; the input is left unchanged.
     *
     * @throws IllegalStateException if the QR iteration did not converge
     */
    static double[] symmetricEigenvalues(DMatrixRMaj sym) {
        int n = sym.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, true);
        if (!eig.decompose(eig.inputModified() ? sym.copy() : sym)) {
            throw new IllegalStateException("EJML's symmetric eigenvalue iteration did not converge on a " + n + "x" + n
                    + " matrix");
        }
        double[] l = new double[n];
        for (int i = 0; i < n; i++) {
            l[i] = eig.getEigenvalue(i).real;
        }
        Arrays.sort(l);
        return l;
    }
}
