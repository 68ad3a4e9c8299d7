package dev.usp.eval.metrics;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/** The few dense double-precision operations the metrics need, on ND4J (OpenBLAS and LAPACK). */
final class Linalg {

    private Linalg() {
    }

    /** A (rows, cols) double matrix from row-major values. */
    static INDArray matrix(double[] rowMajor, int rows, int cols) {
        return Nd4j.create(rowMajor, new long[] {rows, cols}, DataType.DOUBLE);
    }

    /** Rows [from, to) of the features as a double matrix (to - from, D). */
    static INDArray rows(FeatureMatrix f, int from, int to) {
        int d = f.dim();
        double[] v = new double[(to - from) * d];
        float[] src = f.data();
        for (int i = 0, o = from * d; i < v.length; i++, o++) {
            v[i] = src[o];
        }
        return matrix(v, to - from, d);
    }

    /** The values of a matrix in row-major order. */
    static double[] toRowMajor(INDArray m) {
        if (m.ordering() == 'c' && !m.isView()) {
            return m.data().asDouble();
        }
        try (INDArray c = m.dup('c')) {
            return c.data().asDouble();
        }
    }

    /**
     * Eigenvalues of a symmetric matrix (LAPACK dsyev without vectors), ascending; the input is
     * left unchanged. They are checked against the invariants trace = sum(l) and
     * |M|_F^2 = sum(l^2), since some LAPACK routines of ND4J's OpenBLAS fail on AVX-512 CPUs.
     */
    static double[] symmetricEigenvalues(INDArray sym) {
        double[] l;
        try (INDArray work = sym.dup('f'); INDArray w = Eigen.symmetricGeneralizedEigenvalues(work, false)) {
            l = w.toDoubleVector();
        }
        int n = l.length;
        double[] m = toRowMajor(sym);
        double trace = 0;
        double frobenius2 = 0;
        for (int i = 0; i < n; i++) {
            trace += m[i * n + i];
        }
        for (double v : m) {
            frobenius2 += v * v;
        }
        double sum = 0;
        double sum2 = 0;
        for (double v : l) {
            sum += v;
            sum2 += v * v;
        }
        if (Math.abs(sum - trace) > 1e-8 * Math.sqrt(n * frobenius2) || Math.abs(sum2 - frobenius2) > 1e-8 * frobenius2) {
            throw new IllegalStateException("ND4J's symmetric eigenvalues of a " + n + "x" + n + " matrix are wrong"
                    + " (sum " + sum + " vs trace " + trace + ", sum of squares " + sum2 + " vs " + frobenius2
                    + "); try the environment variable OPENBLAS_CORETYPE=Haswell");
        }
        return l;
    }
}
