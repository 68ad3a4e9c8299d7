package dev.usp.eval.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Frechet distance between two Gaussians, as the ADM evaluator's
 * {@code FIDStatistics.frechet_distance}: {@code |mu1 - mu2|^2 + tr(s1) + tr(s2) - 2 tr(sqrtm(s1 s2))}.
 *
 * <p>Instead of a general matrix square root (scipy's {@code sqrtm}), the trace is taken from the
 * eigenvalues of a symmetric PSD matrix with the nonzero eigenvalues of {@code s1 s2}: with
 * {@code s1 = A A^T} (pivoted Cholesky), {@code M = A^T s2 A}, and
 * {@code tr(sqrtm(s1 s2)) = sum(sqrt(eig(M)))}. This is exact for singular covariances too
 * (features of rank below D), where it agrees with scipy to ~1e-8.
 *
 * <p>The evaluator retries with {@code eps} added to both diagonals when sqrtm's result is not
 * finite, which happens when a feature is constant (a zero variance); this class takes that path
 * in the same case, and when its own result is not finite. Round-off makes tiny negative
 * eigenvalues, which count as 0; one below {@code -1e-6} means an imaginary part above the
 * evaluator's tolerance of 1e-3 (not a covariance), and is an error.
 */
public final class FrechetDistance {

    /** The evaluator's diagonal offset for a singular product. */
    public static final double ADM_EPS = 1e-6;

    private static final Logger LOG = LoggerFactory.getLogger(FrechetDistance.class);
    private static final double MIN_EIGENVALUE = -1e-6;

    private FrechetDistance() {
    }

    /** The distance with the evaluator's {@link #ADM_EPS}. */
    public static double compute(FidStatistics a, FidStatistics b) {
        return compute(a, b, ADM_EPS);
    }

    /** The distance, adding {@code eps} to both diagonals when the product is singular. */
    public static double compute(FidStatistics a, FidStatistics b, double eps) {
        int d = a.dim();
        if (b.dim() != d) {
            throw new IllegalArgumentException("statistics of different dimensions: " + d + " and " + b.dim());
        }
        double[] mu1 = a.muView();
        double[] mu2 = b.muView();
        double[] s1 = a.sigmaView();
        double[] s2 = b.sigmaView();
        checkFinite(mu1, "mu1");
        checkFinite(mu2, "mu2");
        checkFinite(s1, "sigma1");
        checkFinite(s2, "sigma2");
        double meanTerm = 0;
        for (int i = 0; i < d; i++) {
            double diff = mu1[i] - mu2[i];
            meanTerm += diff * diff;
        }
        double trace1 = trace(s1, d);
        double trace2 = trace(s2, d);
        double trSqrt = Double.NaN;
        boolean constantFeature = hasZeroDiagonal(s1, d) || hasZeroDiagonal(s2, d);
        if (!constantFeature) {
            trSqrt = traceSqrtProduct(s1, s2, d, 0);
        }
        if (!Double.isFinite(trSqrt)) {
            LOG.warn("Frechet distance: singular product (a feature has zero variance); adding {} to the diagonals"
                    + " of the covariances, as the ADM evaluator does", eps);
            trSqrt = traceSqrtProduct(s1, s2, d, eps);
        }
        return meanTerm + trace1 + trace2 - 2 * trSqrt;
    }

    /**
     * tr(sqrtm((s1 + eps I)(s2 + eps I))) for symmetric PSD s1, s2 (D, D), row-major: with
     * s1 = A A^T (pivoted Cholesky, A (D, r)), the eigenvalues of s1 s2 other than 0 are those of
     * the symmetric PSD matrix A^T s2 A (r, r).
     */
    static double traceSqrtProduct(double[] s1, double[] s2, int d, double eps) {
        double[][] a = PivotedCholesky.factor(withDiagonal(s1, d, eps), d, MIN_EIGENVALUE, "sigma1");
        int r = a[0].length;
        if (r == 0) {
            return 0;
        }
        double[] m = Linalg.congruence(withDiagonal(s2, d, eps), a);                // A^T s2 A (r, r)
        double[] eigenvalues = Linalg.symmetricEigenvalues(m, r);
        // Eigenvalues that are 0 in exact arithmetic come out as +-n ulp of the largest; their
        // square roots would add noise far above round-off, so they count as 0.
        double zero = eigenvalues.length * Math.ulp(eigenvalues[eigenvalues.length - 1]);
        double sum = 0;
        for (double l : eigenvalues) {
            checkEigenvalue(l, "A^T sigma2 A (sigma1 = A A^T)");
            sum += l > zero ? Math.sqrt(l) : 0;
        }
        return sum;
    }

    private static void checkEigenvalue(double l, String of) {
        if (l < MIN_EIGENVALUE) {
            throw new IllegalArgumentException("eigenvalue " + l + " of " + of + " is negative beyond round-off"
                    + " (imaginary component " + Math.sqrt(-l) + "): the covariances are not positive semi-definite");
        }
    }

    /** A copy of s (d, d) with eps added to the diagonal. */
    private static double[] withDiagonal(double[] s, int d, double eps) {
        double[] out = s.clone();
        for (int i = 0; i < d; i++) {
            out[i * d + i] += eps;
        }
        return out;
    }

    private static double trace(double[] s, int d) {
        double t = 0;
        for (int i = 0; i < d; i++) {
            t += s[i * d + i];
        }
        return t;
    }

    private static boolean hasZeroDiagonal(double[] s, int d) {
        for (int i = 0; i < d; i++) {
            if (s[i * d + i] == 0) {
                return true;
            }
        }
        return false;
    }

    private static void checkFinite(double[] v, String name) {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new IllegalArgumentException(name + "[" + i + "] is " + v[i]);
            }
        }
    }
}
