package dev.usp.eval.metrics;

import dev.usp.eval.io.NpyArray;
import dev.usp.eval.io.NpzFile;
import dev.usp.eval.io.NpzWriter;

import java.io.IOException;
import java.util.Arrays;

/**
 * Mean and covariance of a feature set in double precision, as the ADM evaluator's
 * {@code compute_statistics}: {@code mu = mean(x, axis=0)}, {@code sigma = np.cov(x, rowvar=False)}
 * (unbiased, divided by N - 1). The sums and the product x^T x run in float64 in libtorch
 * ({@link Linalg}).
 */
public final class FidStatistics {

    private final double[] mu;
    private final double[] sigma;

    /**
     * @param mu the mean (D)
     * @param sigma the covariance (D, D), row-major; neither is copied
     */
    public FidStatistics(double[] mu, double[] sigma) {
        if ((long) mu.length * mu.length != sigma.length) {
            throw new IllegalArgumentException("sigma of " + sigma.length + " values does not fit mu of dimension " + mu.length);
        }
        this.mu = mu;
        this.sigma = sigma;
    }

    /** The statistics of at least two feature vectors. */
    public static FidStatistics compute(FeatureMatrix features) {
        int n = features.rows();
        int d = features.dim();
        if (n < 2) {
            throw new IllegalArgumentException("a covariance needs at least 2 feature vectors, got " + n);
        }
        double[][] meanAndScatter = Linalg.meanAndScatter(features);
        double[] sigma = meanAndScatter[1];
        for (int i = 0; i < sigma.length; i++) {
            sigma[i] /= n - 1;
        }
        return new FidStatistics(meanAndScatter[0], sigma);
    }

    /** Reads {@code mu} (D) and {@code sigma} (D, D) from an .npz, e.g. an ADM reference batch. */
    public static FidStatistics read(NpzFile npz, String muKey, String sigmaKey) throws IOException {
        NpyArray mu = npz.read(muKey);
        NpyArray sigma = npz.read(sigmaKey);
        long[] m = mu.shape();
        long[] s = sigma.shape();
        if (m.length != 1 || !Arrays.equals(s, new long[] {m[0], m[0]})) {
            throw new IOException(npz.path() + ": statistics [" + muKey + "] " + mu.header() + " and [" + sigmaKey + "] "
                    + sigma.header() + " are not a (D,) mean and a (D, D) covariance");
        }
        double[] muValues = mu.toDoubleArray();
        double[] sigmaValues = sigma.toDoubleArray();
        requireFinite(npz, muKey, muValues);
        requireFinite(npz, sigmaKey, sigmaValues);
        return new FidStatistics(muValues, sigmaValues);
    }

    private static void requireFinite(NpzFile npz, String key, double[] values) throws IOException {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IOException(npz.path() + ": statistics [" + key + "] hold " + values[i] + " at flat index "
                        + i + "; reference statistics must be finite (recompute them)");
            }
        }
    }

    /** Adds {@code mu} and {@code sigma} as float64 arrays. */
    public void write(NpzWriter npz, String muKey, String sigmaKey) throws IOException {
        npz.put(muKey, NpyArray.of(mu, mu.length));
        npz.put(sigmaKey, NpyArray.of(sigma, mu.length, mu.length));
    }

    /** Feature dimension D. */
    public int dim() {
        return mu.length;
    }

    /** A copy of the mean (D). */
    public double[] mu() {
        return mu.clone();
    }

    /** A copy of the covariance (D, D), row-major. */
    public double[] sigma() {
        return sigma.clone();
    }

    double[] muView() {
        return mu;
    }

    double[] sigmaView() {
        return sigma;
    }

    /** The Frechet distance to other statistics (see {@link FrechetDistance}). */
    public double frechetDistance(FidStatistics other) {
        return FrechetDistance.compute(this, other);
    }

    @Override
    public String toString() {
        return "FidStatistics(D=" + mu.length + ")";
    }
}
