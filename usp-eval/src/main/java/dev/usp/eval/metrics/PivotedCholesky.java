package dev.usp.eval.metrics;

/**
 * Pivoted Cholesky factor of a symmetric positive semi-definite matrix, in plain Java:
 * {@code S = A A^T} with A (n, rank), stopping (as LAPACK's dpstrf) once every remaining pivot is
 * at most {@code n * ulp * max(diag S)}, so singular covariances get their exact rank.
 *
 * <p>Hand-written because EJML has no rank-revealing Cholesky: its {@code CholeskyDecomposition}
 * (like LAPACK's dpotrf) fails on a singular matrix, and its LDL^T does not pivot. Covariances of
 * fewer feature vectors than dimensions, or with a constant feature, are singular, and
 * {@link FrechetDistance} needs their exact rank (see there). Right-looking and unblocked, as
 * dpstf2: only the lower triangle is read and updated.
 */
final class PivotedCholesky {

    private PivotedCholesky() {
    }

    /**
     * Factors S (n, n), row-major, of which only the lower triangle is read.
     *
     * @param minEigenvalue how negative the part left unfactored may look before S counts as not
     *     positive semi-definite
     * @return A (n, rank), row-major, with {@code A A^T = S} up to round-off
     * @throws IllegalArgumentException if S is not positive semi-definite beyond round-off
     */
    static double[][] factor(double[] s, int n, double minEigenvalue, String name) {
        double[] a = s.clone();
        int[] perm = new int[n];
        double maxDiag = 0;
        for (int i = 0; i < n; i++) {
            perm[i] = i;
            maxDiag = Math.max(maxDiag, a[i * n + i]);
        }
        double tol = n * Math.ulp(1.0) * maxDiag;
        double[] col = new double[n];
        int rank = 0;
        while (rank < n) {
            int k = rank;
            int p = k;
            for (int i = k + 1; i < n; i++) {
                if (a[i * n + i] > a[p * n + p]) {
                    p = i;
                }
            }
            if (!(a[p * n + p] > tol)) {
                break;
            }
            swapSymmetric(a, n, k, p);
            int t = perm[k];
            perm[k] = perm[p];
            perm[p] = t;
            double lkk = Math.sqrt(a[k * n + k]);
            a[k * n + k] = lkk;
            for (int i = k + 1; i < n; i++) {
                a[i * n + k] /= lkk;
                col[i] = a[i * n + k];
            }
            // Trailing Schur complement, lower triangle only: a[i][j] -= l_i l_j for j <= i.
            for (int i = k + 1; i < n; i++) {
                double li = col[i];
                int row = i * n;
                for (int j = k + 1; j <= i; j++) {
                    a[row + j] -= li * col[j];
                }
            }
            rank++;
        }
        checkRemainder(a, n, rank, minEigenvalue, name);
        double[][] factor = new double[n][rank];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < Math.min(i + 1, rank); c++) {
                factor[perm[i]][c] = a[i * n + c];
            }
        }
        return factor;
    }

    // The unfactored block is ~0 for a PSD matrix; a clearly negative diagonal or an off-diagonal
    // entry beyond what its diagonals allow means a negative eigenvalue.
    private static void checkRemainder(double[] a, int n, int rank, double minEigenvalue, String name) {
        for (int i = rank; i < n; i++) {
            for (int j = rank; j <= i; j++) {
                double v = a[i * n + j];
                if (i == j ? v < minEigenvalue : Math.abs(v) > -minEigenvalue) {
                    throw new IllegalArgumentException(name + " is not positive semi-definite: after " + rank
                            + " pivots its remainder has " + v + " at [" + i + ", " + j + "]");
                }
            }
        }
    }

    /**
     * Swaps rows and columns k < p of the symmetric matrix whose lower triangle is a (LAPACK's
     * dpstf2 for a lower factor): the factored columns' rows, the diagonal, and the trailing
     * entries that cross the diagonal between them.
     */
    private static void swapSymmetric(double[] a, int n, int k, int p) {
        if (k == p) {
            return;
        }
        for (int j = 0; j < k; j++) {
            swap(a, k * n + j, p * n + j);
        }
        swap(a, k * n + k, p * n + p);
        for (int i = k + 1; i < p; i++) {
            swap(a, i * n + k, p * n + i);
        }
        for (int i = p + 1; i < n; i++) {
            swap(a, i * n + k, i * n + p);
        }
    }

    private static void swap(double[] a, int x, int y) {
        double t = a[x];
        a[x] = a[y];
        a[y] = t;
    }
}
