package dev.usp.eval.metrics;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * FD at a dimension above EJML's block width (its products and tridiagonalisation work in 60 x 60
 * blocks), against the closed form for covariances sharing eigenvectors:
 * s1 = Q diag(a) Q^T, s2 = Q diag(b) Q^T give tr(sqrtm(s1 s2)) = sum(sqrt(a_i b_i)).
 */
class FrechetDistanceLargeTest {

    private static final int D = 300;

    @Test
    void matchesClosedFormForCommutingCovariances() {
        Random rnd = new Random(11);
        double[] q = randomOrthogonal(rnd);
        double[] a = new double[D];
        double[] b = new double[D];
        double want = 0;
        for (int i = 0; i < D; i++) {
            a[i] = 0.1 + 2 * rnd.nextDouble();
            b[i] = i < 40 ? 0 : 0.1 + 3 * rnd.nextDouble();   // s2 singular: rank 260
            want += a[i] + b[i] - 2 * Math.sqrt(a[i] * b[i]);
        }
        double[] mu1 = new double[D];
        double[] mu2 = new double[D];
        mu2[5] = 1.5;
        want += 1.5 * 1.5;
        FidStatistics x = new FidStatistics(mu1, rotate(q, a));
        FidStatistics y = new FidStatistics(mu2, rotate(q, b));
        assertEquals(want, x.frechetDistance(y), 1e-9 * want);
        assertEquals(want, y.frechetDistance(x), 1e-9 * want);
    }

    @Test
    void pivotedCholeskyFindsTheRankAndRejectsIndefiniteMatrices() {
        Random rnd = new Random(5);
        double[] q = randomOrthogonal(rnd);
        double[] ev = new double[D];
        for (int i = 0; i < 150; i++) {
            ev[i] = 1 + rnd.nextDouble();
        }
        double[] s = rotate(q, ev);
        double[][] f = PivotedCholesky.factor(s, D, -1e-6, "s");
        assertEquals(150, f[0].length);
        double[] back = new double[D * D];
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                double v = 0;
                for (int c = 0; c < 150; c++) {
                    v += f[i][c] * f[j][c];
                }
                back[i * D + j] = v;
            }
        }
        assertArrayEquals(s, back, 1e-12);
        ev[200] = -0.01;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PivotedCholesky.factor(rotate(q, ev), D, -1e-6, "sigma1"));
        assertEquals(true, e.getMessage().startsWith("sigma1 is not positive semi-definite"), e.getMessage());
    }

    /** Q diag(ev) Q^T, row-major. */
    private static double[] rotate(double[] q, double[] ev) {
        double[] s = new double[D * D];
        for (int i = 0; i < D; i++) {
            for (int j = 0; j <= i; j++) {
                double v = 0;
                for (int k = 0; k < D; k++) {
                    v += q[i * D + k] * ev[k] * q[j * D + k];
                }
                s[i * D + j] = v;
                s[j * D + i] = v;
            }
        }
        return s;
    }

    /** Rows of a random orthogonal matrix, by Gram-Schmidt on Gaussian rows. */
    private static double[] randomOrthogonal(Random rnd) {
        double[] q = new double[D * D];
        for (int i = 0; i < D; i++) {
            double[] v = new double[D];
            for (int k = 0; k < D; k++) {
                v[k] = rnd.nextGaussian();
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int j = 0; j < i; j++) {
                    double dot = 0;
                    for (int k = 0; k < D; k++) {
                        dot += v[k] * q[j * D + k];
                    }
                    for (int k = 0; k < D; k++) {
                        v[k] -= dot * q[j * D + k];
                    }
                }
            }
            double norm = 0;
            for (double x : v) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            for (int k = 0; k < D; k++) {
                q[i * D + k] = v[k] / norm;
            }
        }
        return q;
    }
}
