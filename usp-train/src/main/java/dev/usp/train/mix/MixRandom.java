package dev.usp.train.mix;

import java.util.SplittableRandom;

/**
 * The random draws Mixup makes, in numpy's terms, so that tests (and a Python reference) can
 * inject the same values. {@link #seeded(long)} gives a default implementation.
 */
public interface MixRandom {

    /** A uniform draw in [0, 1) ({@code np.random.rand()}). */
    double uniform();

    /** A Beta(alpha, alpha) draw ({@code np.random.beta(alpha, alpha)}). */
    double beta(double alpha);

    /** A uniform integer in [low, high) ({@code np.random.randint(low, high)}). */
    int randint(int low, int high);

    /** Draws from a seeded {@link SplittableRandom}; Beta via two Gamma draws (Marsaglia-Tsang). */
    static MixRandom seeded(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return new MixRandom() {
            @Override
            public double uniform() {
                return rng.nextDouble();
            }

            @Override
            public double beta(double alpha) {
                double x = gamma(alpha);
                double y = gamma(alpha);
                return x / (x + y);
            }

            @Override
            public int randint(int low, int high) {
                return rng.nextInt(low, high);
            }

            private double gamma(double shape) {
                if (shape < 1) {
                    return gamma(shape + 1) * Math.pow(rng.nextDouble(), 1.0 / shape);
                }
                double d = shape - 1.0 / 3;
                double c = 1 / Math.sqrt(9 * d);
                while (true) {
                    double x = gaussian();
                    double v = 1 + c * x;
                    if (v <= 0) {
                        continue;
                    }
                    v = v * v * v;
                    double u = rng.nextDouble();
                    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
                        return d * v;
                    }
                }
            }

            private double gaussian() {
                double u1 = 1.0 - rng.nextDouble();
                double u2 = rng.nextDouble();
                return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
            }
        };
    }
}
