package dev.usp.app.bench;

import dev.usp.eval.metrics.FeatureMatrix;
import dev.usp.eval.metrics.FidStatistics;
import dev.usp.eval.metrics.FrechetDistance;

import java.util.Random;

/**
 * One Frechet distance from features as the evaluator computes it: mean and covariance of two
 * (n, d) feature sets, then the distance. The features are Gaussian with a different scale per set.
 */
final class FdCost implements Workload {

    private final FeatureMatrix a;
    private final FeatureMatrix b;

    FdCost(int n, int d) {
        this.a = gaussian(n, d, 1.0, 1);
        this.b = gaussian(n, d, 1.1, 2);
    }

    private static FeatureMatrix gaussian(int n, int d, double scale, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return new FeatureMatrix(n, d, v);
    }

    @Override
    public void step() {
        FrechetDistance.compute(FidStatistics.compute(a), FidStatistics.compute(b));
    }

    @Override
    public String unit() {
        return "FD/s";
    }

    @Override
    public void close() {
    }
}
