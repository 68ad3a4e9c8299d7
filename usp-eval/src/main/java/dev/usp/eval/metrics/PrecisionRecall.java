package dev.usp.eval.metrics;

import org.ejml.data.DMatrixRBlock;

/**
 * Improved precision and recall (Kynkaanniemi et al. 2019), as the ADM evaluator's
 * {@code ManifoldEstimator} with k = 3: each feature set's manifold is the union of balls around
 * its vectors with radius the squared distance to the k-th nearest neighbour (the vector itself
 * counting as the 0-th); precision is the fraction of generated vectors inside the real manifold
 * ({@code d <= r}), recall the fraction of real vectors inside the generated one.
 *
 * <p>Distances are squared Euclidean, {@code max(|u|^2 - 2 u.v + |v|^2, 0)}, in double precision,
 * in blocks of rows against the whole other set (EJML, see {@link Linalg}). The evaluator computes them in float16 (float32
 * if float16 overflows), so vectors within float16 round-off of a ball's edge may count
 * differently.
 */
public final class PrecisionRecall {

    /** The evaluator's neighbourhood size. */
    public static final int ADM_K = 3;

    /** Distance values per block (rows times the other set's size): 256 MB. */
    private static final long BLOCK_VALUES = 1L << 25;

    /** Precision and recall, each in [0, 1]. */
    public record Result(double precision, double recall) {
    }

    private PrecisionRecall() {
    }

    /** Precision and recall with the evaluator's k = 3. */
    public static Result compute(FeatureMatrix real, FeatureMatrix generated) {
        return compute(real, generated, ADM_K);
    }

    public static Result compute(FeatureMatrix real, FeatureMatrix generated, int k) {
        if (real.dim() != generated.dim()) {
            throw new IllegalArgumentException("feature dimensions differ: real " + real + ", generated " + generated);
        }
        Prepared r = new Prepared(real);
        Prepared g = new Prepared(generated);
        double[] realRadii = radii(r, k);
        double[] genRadii = radii(g, k);
        boolean[] realCovered = new boolean[r.n];
        boolean[] genInside = new boolean[g.n];
        int rows = rowsPerBlock(g.n);
        for (int from = 0; from < r.n; from += rows) {
            int to = Math.min(r.n, from + rows);
            double[] dist = squaredDistances(r, from, to, g);   // (to - from, N_gen)
            for (int i = from; i < to; i++) {
                int o = (i - from) * g.n;
                for (int j = 0; j < g.n; j++) {
                    double v = dist[o + j];
                    genInside[j] |= v <= realRadii[i];
                    realCovered[i] |= v <= genRadii[j];
                }
            }
        }
        return new Result(fraction(genInside), fraction(realCovered));
    }

    /**
     * The squared distance from each vector to its k-th nearest neighbour in the same set,
     * counting the vector itself as the 0-th (the evaluator's {@code manifold_radii}).
     */
    public static double[] manifoldRadii(FeatureMatrix features, int k) {
        return radii(new Prepared(features), k);
    }

    private static double[] radii(Prepared p, int k) {
        if (k < 1 || k >= p.n) {
            throw new IllegalArgumentException("k = " + k + " needs more than k vectors, got " + p.n);
        }
        double[] radii = new double[p.n];
        double[] row = new double[p.n];
        int rows = rowsPerBlock(p.n);
        for (int from = 0; from < p.n; from += rows) {
            int to = Math.min(p.n, from + rows);
            double[] dist = squaredDistances(p, from, to, p);
            for (int i = from; i < to; i++) {
                System.arraycopy(dist, (i - from) * p.n, row, 0, p.n);
                radii[i] = Select.kthSmallest(row, k);
            }
        }
        return radii;
    }

    /** Squared distances between rows [from, to) of a and all rows of b, row-major (to - from, b.n). */
    private static double[] squaredDistances(Prepared a, int from, int to, Prepared b) {
        double[] d = Linalg.toRowMajor(Linalg.multTransB(Linalg.rows(a.features, from, to), b.matrix));
        for (int i = from; i < to; i++) {
            int o = (i - from) * b.n;
            for (int j = 0; j < b.n; j++) {
                d[o + j] = Math.max(a.squaredNorms[i] - 2 * d[o + j] + b.squaredNorms[j], 0);
            }
        }
        return d;
    }

    private static int rowsPerBlock(int otherRows) {
        return (int) Math.max(1, BLOCK_VALUES / otherRows);
    }

    private static double fraction(boolean[] flags) {
        int c = 0;
        for (boolean f : flags) {
            c += f ? 1 : 0;
        }
        return (double) c / flags.length;
    }

    /** A feature set as a double matrix (N, D) with its squared row norms. */
    private static final class Prepared {
        final FeatureMatrix features;
        final int n;
        final DMatrixRBlock matrix;
        final double[] squaredNorms;

        Prepared(FeatureMatrix f) {
            if (f.rows() == 0) {
                throw new IllegalArgumentException("precision/recall needs feature vectors, got " + f);
            }
            features = f;
            n = f.rows();
            matrix = Linalg.rows(f, 0, n);
            squaredNorms = new double[n];
            int d = f.dim();
            float[] x = f.data();
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0, o = i * d; j < d; j++, o++) {
                    s += (double) x[o] * x[o];
                }
                squaredNorms[i] = s;
            }
        }
    }
}
