package dev.usp.models.generation;

/** Noise schedules of ADM/DiT ({@code get_named_beta_schedule}), in float64. */
public final class BetaSchedules {

    private BetaSchedules() {
    }

    /**
     * The named schedule: {@code linear} (Ho et al., scaled so that 1000 steps span 1e-4..0.02)
     * or {@code squaredcos_cap_v2} (Nichol and Dhariwal's cosine, betas capped at 0.999).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static double[] named(String name, int steps) {
        switch (name) {
            case "linear": {
                double scale = 1000.0 / steps;
                return linspace(scale * 0.0001, scale * 0.02, steps);
            }
            case "squaredcos_cap_v2":
                return cosine(steps);
            default:
                throw new IllegalArgumentException(
                        "unknown beta schedule '" + name + "' (expected linear or squaredcos_cap_v2)");
        }
    }

    /** numpy's {@code linspace(start, end, n)}: start + i*step, the last value set to end exactly. */
    static double[] linspace(double start, double end, int n) {
        double[] out = new double[n];
        if (n == 1) {
            out[0] = start;
            return out;
        }
        double step = (end - start) / (n - 1);
        for (int i = 0; i < n; i++) {
            out[i] = start + i * step;
        }
        out[n - 1] = end;
        return out;
    }

    private static double[] cosine(int steps) {
        double[] betas = new double[steps];
        for (int i = 0; i < steps; i++) {
            double t1 = (double) i / steps;
            double t2 = (double) (i + 1) / steps;
            betas[i] = Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
        }
        return betas;
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }
}
