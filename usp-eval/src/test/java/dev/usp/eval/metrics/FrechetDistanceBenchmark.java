package dev.usp.eval.metrics;

import java.util.Random;

/**
 * Times one FD evaluation as the evaluator runs it on Inception pool features: statistics of two
 * sets of 10,000 x 2048 features, then the distance; then precision/recall on the same sets.
 * A main, not a test:
 * {@code java -cp <test classpath> dev.usp.eval.metrics.FrechetDistanceBenchmark [rows] [dim]}.
 */
public final class FrechetDistanceBenchmark {

    private FrechetDistanceBenchmark() {
    }

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
        FeatureMatrix a = features(rows, dim, 1, 0f);
        FeatureMatrix b = features(rows, dim, 2, 0.05f);
        FidStatistics.compute(new FeatureMatrix(2, 2, new float[] {1, 2, 3, 5}));   // loads ND4J
        for (int run = 0; run < 2; run++) {
            long t0 = System.nanoTime();
            FidStatistics sa = FidStatistics.compute(a);
            FidStatistics sb = FidStatistics.compute(b);
            long t1 = System.nanoTime();
            double fd = sa.frechetDistance(sb);
            long t2 = System.nanoTime();
            System.out.printf("run %d: %d x %d features: statistics (both sets) %.2f s, distance %.2f s, total %.2f s; FD = %.4f%n",
                    run, rows, dim, (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t2 - t0) / 1e9, fd);
        }
        long t0 = System.nanoTime();
        PrecisionRecall.Result pr = PrecisionRecall.compute(a, b);
        System.out.printf("precision/recall (k=3): %.2f s; %s%n", (System.nanoTime() - t0) / 1e9, pr);
    }

    // Non-negative, correlated features: |gaussian + a shared rank-32 component| + shift.
    private static FeatureMatrix features(int rows, int dim, long seed, float shift) {
        Random rnd = new Random(seed);
        int rank = 32;
        float[] basis = new float[rank * dim];
        for (int i = 0; i < basis.length; i++) {
            basis[i] = (float) rnd.nextGaussian() * 0.3f;
        }
        float[] x = new float[rows * dim];
        float[] z = new float[rank];
        for (int i = 0; i < rows; i++) {
            for (int r = 0; r < rank; r++) {
                z[r] = (float) rnd.nextGaussian();
            }
            for (int j = 0; j < dim; j++) {
                float v = (float) rnd.nextGaussian() * 0.5f;
                for (int r = 0; r < rank; r++) {
                    v += z[r] * basis[r * dim + j];
                }
                x[i * dim + j] = Math.abs(v) + shift;
            }
        }
        return new FeatureMatrix(rows, dim, x);
    }
}
