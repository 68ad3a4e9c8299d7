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

    /** Eigenvalues of a symmetric matrix, ascending (LAPACK dsyev); the input is left unchanged. */
    static double[] symmetricEigenvalues(INDArray sym) {
        try (INDArray work = sym.dup('f'); INDArray w = Eigen.symmetricGeneralizedEigenvalues(work, false)) {
            return w.toDoubleVector();
        }
    }

    /**
     * The symmetric square root V diag(sqrt(max(l, 0))) V^T of a symmetric matrix; also returns its
     * smallest eigenvalue in {@code minEigenvalue[0]}.
     */
    static INDArray symmetricSqrt(INDArray sym, double[] minEigenvalue) {
        try (INDArray v = sym.dup('f'); INDArray w = Eigen.symmetricGeneralizedEigenvalues(v, true)) {
            double[] l = w.toDoubleVector();
            double min = Double.POSITIVE_INFINITY;
            for (int i = 0; i < l.length; i++) {
                min = Math.min(min, l[i]);
                l[i] = Math.sqrt(Math.max(l[i], 0));
            }
            minEigenvalue[0] = min;
            try (INDArray s = Nd4j.createFromArray(l); INDArray scaled = v.mulRowVector(s)) {
                return Nd4j.gemm(scaled, v, false, true);
            }
        }
    }
}
