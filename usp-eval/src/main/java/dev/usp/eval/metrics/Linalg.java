package dev.usp.eval.metrics;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.engine.HostArrays;
import dev.usp.core.engine.Kernels;
import dev.usp.core.engine.NoAutograd;
import org.ejml.EjmlParameters;
import org.ejml.data.DMatrixRBlock;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.block.MatrixOps_DDRB;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The few dense double-precision operations the metrics (and {@code dev.usp.eval.knn}) need.
 *
 * <p>The Frechet distance's large products (the covariance's {@code x^T x} over all features,
 * {@code A^T s2 A}) run as float64 matrix products in libtorch on the CPU, through DJL: its BLAS
 * is several times faster than EJML's Java kernels (bench/ANALYSIS.md, row fd-10k). Their bits
 * may then differ between CPUs in the last places (~1e-14 relative), as the BLAS kernel does.
 * The rest is EJML (pure Java): the symmetric eigenvalues, which DJL does not expose, and the
 * smaller products of precision/recall and kNN, in EJML's block format ({@link DMatrixRBlock},
 * square blocks of {@link EjmlParameters#BLOCK_WIDTH}; 2.5x faster than EJML's row-major kernels
 * on 2048 x 2048 operands here). Conversions between the formats are in place.
 */
@NoAutograd("metrics on features and statistics: no gradient is ever taken through them")
public final class Linalg {

    private static final int BLOCK = EjmlParameters.BLOCK_WIDTH;
    /** Feature rows per float64 chunk of the covariance product, to bound the double copy of the features. */
    private static final int CHUNK_ROWS = 4096;

    private Linalg() {
    }

    /** Rows [from, to) of the features as a double matrix (to - from, D) in block format. */
    public static DMatrixRBlock rows(FeatureMatrix f, int from, int to) {
        int d = f.dim();
        double[] v = new double[(to - from) * d];
        float[] src = f.data();
        for (int i = 0, o = from * d; i < v.length; i++, o++) {
            v[i] = src[o];
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

    /** {@code a b^T}. */
    public static DMatrixRBlock multTransB(DMatrixRBlock a, DMatrixRBlock b) {
        DMatrixRBlock c = zeros(a.numRows, b.numRows);
        MatrixOps_DDRB.multTransB(a, b, c);
        return c;
    }

    /**
     * The column means (D) and the scatter matrix (x - mean)^T (x - mean) (D, D) of the features
     * x (N, D), in float64: the sums and products in libtorch, {@link #CHUNK_ROWS} rows at a time.
     * The scatter matrix is row-major and exactly symmetric (its lower triangle mirrored).
     *
     * @return {mean, scatter}
     */
    static double[][] meanAndScatter(FeatureMatrix f) {
        int n = f.rows();
        int d = f.dim();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray sum = m.zeros(new Shape(d), DataType.FLOAT64);
            for (int from = 0; from < n; from += CHUNK_ROWS) {
                try (NDManager chunk = m.newSubManager()) {
                    sum.addi(rows64(chunk, f, from, Math.min(n, from + CHUNK_ROWS)).sum(new int[] {0}));
                }
            }
            NDArray mean = sum.div(n);
            NDArray scatter = m.zeros(new Shape(d, d), DataType.FLOAT64);
            for (int from = 0; from < n; from += CHUNK_ROWS) {
                try (NDManager chunk = m.newSubManager()) {
                    NDArray xc = rows64(chunk, f, from, Math.min(n, from + CHUNK_ROWS)).sub(mean);
                    scatter.addi(xc.transpose().matMul(xc));
                }
            }
            return new double[][] {mean.toDoubleArray(), mirrorLower(scatter.toDoubleArray(), d)};
        }
    }

    /** Rows [from, to) of the features as a float64 array (to - from, D) in {@code m}. */
    private static NDArray rows64(NDManager m, FeatureMatrix f, int from, int to) {
        int d = f.dim();
        NDArray rows = HostArrays.of(m, FloatBuffer.wrap(f.data(), from * d, (to - from) * d),
                new Shape(to - from, d), DataType.FLOAT32);
        return rows.toType(DataType.FLOAT64, false);
    }

    /**
     * {@code a^T s a} (r, r), row-major and exactly symmetric, for a symmetric s (d, d) row-major
     * and a (d, r) given by rows: two float64 matrix products in libtorch.
     */
    static double[] congruence(double[] s, double[][] a) {
        int d = a.length;
        int r = a[0].length;
        double[] flat = new double[d * r];
        for (int i = 0; i < d; i++) {
            System.arraycopy(a[i], 0, flat, i * r, r);
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray am = HostArrays.doubles(m, flat, new Shape(d, r));
            NDArray sm = HostArrays.doubles(m, s, new Shape(d, d));
            return mirrorLower(am.transpose().matMul(sm.matMul(am)).toDoubleArray(), r);
        }
    }

    /** The row-major symmetric matrix (n, n) whose lower triangle is {@code m}'s: its upper triangle is overwritten. */
    private static double[] mirrorLower(double[] m, int n) {
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                m[j * n + i] = m[i * n + j];
            }
        }
        return m;
    }

    /**
     * Eigenvalues of a symmetric (n, n) matrix, row-major, ascending: libtorch's {@code linalg_eigvalsh}
     * (LAPACK divide and conquer) with {@link Kernels#fused()}, else EJML's (below).
     */
    static double[] symmetricEigenvalues(double[] sym, int n) {
        if (!Kernels.fused()) {
            return symmetricEigenvalues(DMatrixRMaj.wrap(n, n, sym));
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            return Kernels.eigvalsh(HostArrays.doubles(m, sym, new Shape(n, n))).toDoubleArray();
        }
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
