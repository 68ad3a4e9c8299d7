package dev.usp.models.generation;

import dev.usp.core.engine.NoAutograd;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.usp.core.engine.Scopes;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

/**
 * ODE and SDE integrators on NDArrays, as SiT calls them: torchdiffeq's fixed-grid Euler and
 * Heun, its adaptive Dormand-Prince 5(4) ({@code dopri5}), and SiT's Euler-Maruyama.
 *
 * <p>Each step runs in a scratch manager ({@link Scopes}); results belong to the initial
 * value's manager, which keeps only the carried state between steps.
 */
@NoAutograd("ODE/SDE sampling loops: no gradient is ever taken through them")
public final class Integrators {

    /** Dormand-Prince nodes c_2..c_7. */
    private static final double[] C = {1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1.0, 1.0};
    /** Dormand-Prince stage coefficients a_{i,j}; the last row is the 5th-order solution. */
    private static final double[][] A = {
        {1.0 / 5},
        {3.0 / 40, 9.0 / 40},
        {44.0 / 45, -56.0 / 15, 32.0 / 9},
        {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
        {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
        {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
    };
    /** 5th minus 4th order weights: the local error estimate. */
    private static final double[] E = {
        35.0 / 384 - 1951.0 / 21600, 0, 500.0 / 1113 - 22642.0 / 50085, 125.0 / 192 - 451.0 / 720,
        -2187.0 / 6784 - -12231.0 / 42400, 11.0 / 84 - 649.0 / 6300, -1.0 / 60,
    };
    /** Weights giving the solution at the step's midpoint (Shampine), for dense output. */
    private static final double[] MID = {
        6025192743.0 / 30085553152.0 / 2, 0, 51252292925.0 / 65400821598.0 / 2, -2691868925.0 / 45128329728.0 / 2,
        187940372067.0 / 1594534317056.0 / 2, -1776094331.0 / 19743644256.0 / 2, 11237099.0 / 235043384.0 / 2,
    };
    private static final double SAFETY = 0.9;
    private static final double IFACTOR = 10.0;
    private static final double DFACTOR = 0.2;
    private static final int ORDER = 5;

    /**
     * The default cap on dopri5's attempted (accepted plus rejected) steps, 6 drift evaluations
     * each. SiT's tolerances (atol 1e-6, rtol 1e-3) need a few dozen steps on a trained network;
     * a run that needs thousands has tolerances too tight for float32 or a drift that is not
     * smooth, and is stopped rather than left to run for hours.
     */
    public static final int DEFAULT_MAX_STEPS = 10_000;

    private Integrators() {
    }

    /** Forward Euler over the grid linspace(t0, t1, numPoints). */
    public static NDArray euler(OdeFn f, NDArray x, double t0, double t1, int numPoints) {
        double[] t = grid(t0, t1, numPoints);
        try (NDList dt = Coefficients.scalars(x, steps(t))) {
            return fixedGrid(x, t.length - 1, (y, i) -> y.add(f.apply(y, t[i]).mul(dt.get(i))));
        }
    }

    /** Heun's method (explicit trapezoid, torchdiffeq's {@code heun2}) over linspace(t0, t1, numPoints). */
    public static NDArray heun(OdeFn f, NDArray x, double t0, double t1, int numPoints) {
        double[] t = grid(t0, t1, numPoints);
        double[] steps = steps(t);
        double[] numbers = Arrays.copyOf(steps, steps.length + 1);
        numbers[steps.length] = 0.5;
        try (NDList c = Coefficients.scalars(x, numbers)) {
            NDArray half = c.get(steps.length);
            return fixedGrid(x, steps.length, (y, i) -> {
                NDArray dt = c.get(i);
                NDArray k1 = f.apply(y, t[i]);
                NDArray k2 = f.apply(y.add(k1.mul(dt)), t[i] + steps[i]);
                return y.add(k1.mul(half).add(k2.mul(half)).mul(dt));
            });
        }
    }

    /**
     * SiT's Euler-Maruyama: for each t_i of linspace(t0, t1, numPoints) but the last,
     * x = x + drift(x, t_i) dt + sqrt(2 w(t_i)) sqrt(dt) z; then, when {@code lastStepSize} > 0,
     * one noise-free step x + drift(x, t1) * lastStepSize (SiT's "Mean" last step).
     */
    public static NDArray eulerMaruyama(OdeFn drift, DoubleUnaryOperator diffusion, NDArray x,
                                        double t0, double t1, int numPoints, double lastStepSize) {
        double[] t = grid(t0, t1, numPoints);
        double dt = t[1] - t[0];
        double[] numbers = new double[t.length];         // dt, then each step's noise scale
        numbers[0] = dt;
        for (int i = 0; i + 1 < t.length; i++) {
            numbers[i + 1] = Math.sqrt(dt) * Math.sqrt(2 * diffusion.applyAsDouble(t[i]));
        }
        NDArray out;
        try (NDList c = Coefficients.scalars(x, numbers)) {
            out = fixedGrid(x, t.length - 1, (y, i) -> {
                NDArray z = y.getManager().randomNormal(0f, 1f, y.getShape(), y.getDataType());
                NDArray mean = y.add(drift.apply(y, t[i]).mul(c.get(0)));
                return mean.add(z.mul(c.get(i + 1)));
            });
        }
        if (lastStepSize <= 0) {
            return out;
        }
        NDArray last = Scopes.run(out, y -> y.add(drift.apply(y, t1).mul(lastStepSize)));
        if (out != x) {
            out.close();
        }
        return last;
    }

    /** Step i of a fixed-grid scheme, from t[i] to t[i + 1]. */
    private interface GridStep {
        NDArray apply(NDArray y, int i);
    }

    private static NDArray fixedGrid(NDArray x, int numSteps, GridStep step) {
        NDArray y = x;
        for (int i = 0; i < numSteps; i++) {
            int index = i;
            NDArray prev = y;
            y = Scopes.run(y, cur -> step.apply(cur, index));
            if (prev != x) {
                prev.close();
            }
        }
        return y;
    }

    /** The step sizes t[i + 1] - t[i] of a grid. */
    private static double[] steps(double[] t) {
        double[] dt = new double[t.length - 1];
        for (int i = 0; i < dt.length; i++) {
            dt[i] = t[i + 1] - t[i];
        }
        return dt;
    }

    /** torch.linspace(t0, t1, n) in float32, as SiT builds its time grids. */
    static double[] grid(double t0, double t1, int n) {
        if (n < 2) {
            throw new IllegalArgumentException("a time grid needs at least 2 points, got " + n);
        }
        double[] t = new double[n];
        double step = (t1 - t0) / (n - 1);
        for (int i = 0; i < n; i++) {
            double v = i < n / 2 ? t0 + i * step : t1 - (n - 1 - i) * step;
            t[i] = (float) v;
        }
        return t;
    }

    /**
     * Adaptive Dormand-Prince 5(4) from t0 to t1 with torchdiffeq's control: error ratio =
     * RMS over all elements of err / (atol + rtol max(|y0|, |y1|)), accept when <= 1, next step
     * dt * min(10, max(0.9 ratio^(-1/5), 0.2)) (never shrinking after an accepted step), Hairer's
     * initial step, and the value at t1 read from the 4th-order dense output of the last step.
     * At most {@link #DEFAULT_MAX_STEPS} steps.
     *
     * @throws IllegalArgumentException for t1 <= t0, a negative or non-finite tolerance, or atol = rtol = 0
     * @throws IllegalStateException when the state, the drift or the error estimate is not finite,
     *     the step size underflows, or more than {@link #DEFAULT_MAX_STEPS} steps are needed
     */
    public static NDArray dopri5(OdeFn f, NDArray x, double t0, double t1, double atol, double rtol) {
        return dopri5(f, x, t0, t1, atol, rtol, DEFAULT_MAX_STEPS);
    }

    /**
     * {@link #dopri5(OdeFn, NDArray, double, double, double, double)} with at most {@code maxSteps}
     * attempted (accepted plus rejected) steps.
     */
    public static NDArray dopri5(OdeFn f, NDArray x, double t0, double t1, double atol, double rtol, int maxSteps) {
        if (!(t1 > t0)) {
            throw new IllegalArgumentException("dopri5 integrates forward: t0 = " + t0 + ", t1 = " + t1);
        }
        checkTolerances(atol, rtol);
        if (maxSteps < 1) {
            throw new IllegalArgumentException("dopri5 needs max steps >= 1, got " + maxSteps);
        }
        NDArray fx = Scopes.run(x, y -> f.apply(y, t0));
        Dopri5State s = new Dopri5State(x, fx, t0);
        try {
            double dt = initialStep(f, x, fx, t0, atol, rtol);
            for (int n = 0; t1 > s.t; n++) {
                if (n >= maxSteps) {
                    throw new IllegalStateException("dopri5 reached its limit of " + maxSteps + " steps at t = " + s.t
                            + " of [" + t0 + ", " + t1 + "] with atol " + atol + ", rtol " + rtol + ": loosen the "
                            + "tolerances or raise the limit (usp sample --max-steps, SamplerSettings.maxSteps)");
                }
                if (!(s.t + dt > s.t)) {
                    throw new IllegalStateException("dopri5 step size underflow at t = " + s.t + " after " + n
                            + " steps (dt = " + dt + "): atol " + atol + " / rtol " + rtol + " cannot be met");
                }
                dt = s.step(f, dt, atol, rtol, n);
            }
            return s.interpolate(t1);
        } finally {
            s.close();
        }
    }

    /** Refuses tolerances dopri5 cannot work with: negative, non-finite, or both zero. */
    public static void checkTolerances(double atol, double rtol) {
        if (!(atol >= 0 && rtol >= 0 && Double.isFinite(atol) && Double.isFinite(rtol))) {
            throw new IllegalArgumentException("dopri5 needs finite tolerances >= 0, got atol " + atol + ", rtol " + rtol);
        }
        if (atol == 0 && rtol == 0) {
            throw new IllegalArgumentException("dopri5 cannot meet atol 0 and rtol 0 together (no step is ever "
                    + "accepted); give one of them > 0, e.g. SiT's atol 1e-6, rtol 1e-3");
        }
    }

    /** The carried state of dopri5: (y, f) at t and, for dense output, the last accepted step. */
    private static final class Dopri5State {
        final NDArray initial;
        NDArray y;
        NDArray f;
        double t;
        NDArray prevY;
        NDArray prevF;
        NDArray midY;
        double prevT;

        Dopri5State(NDArray y, NDArray f, double t) {
            this.initial = y;
            this.y = y;
            this.f = f;
            this.t = t;
        }

        /** Attempts step number n, of size dt; returns the next step size. */
        double step(OdeFn fn, double dt, double atol, double rtol, int n) {
            double tStart = t;
            double tEnd = t + dt;
            double[] ratio = new double[1];
            double[] kt = new double[7];                    // the time of each drift k[i]
            kt[0] = tStart;
            for (int i = 0; i < 6; i++) {
                kt[i + 1] = C[i] == 1.0 ? tEnd : tStart + C[i] * dt;
            }
            NDList res = Scopes.run(new NDList(y, f), list -> {
                NDArray y0 = list.get(0);
                NDArray[] k = new NDArray[7];
                k[0] = list.get(1);
                NDArray yi = null;
                for (int i = 0; i < 6; i++) {
                    yi = y0;
                    for (int j = 0; j <= i; j++) {
                        if (A[i][j] != 0) {
                            yi = yi.add(k[j].mul(A[i][j] * dt));
                        }
                    }
                    k[i + 1] = fn.apply(yi, kt[i + 1]);
                }
                NDArray err = weighted(k, E, dt);
                NDArray tol = y0.abs().maximum(yi.abs()).mul(rtol).add(atol);
                ratio[0] = rms(err.div(tol));
                if (!Double.isFinite(ratio[0])) {
                    throw nonFinite("the error estimate", tStart, n, y0, k, kt);
                }
                if (!(ratio[0] <= 1)) {
                    return new NDList();
                }
                NDArray mid = y0.add(weighted(k, MID, dt));
                return new NDList(yi, k[6], mid);
            });
            if (res.size() == 3) {
                closeDense();
                prevY = y;
                prevF = f;
                prevT = tStart;
                y = res.get(0);
                f = res.get(1);
                midY = res.get(2);
                t = tEnd;
            }
            return nextStep(dt, ratio[0]);
        }

        /** torchdiffeq's 4th-order polynomial through the last accepted step, at time tq. */
        NDArray interpolate(double tq) {
            if (prevY == null) {
                return y.duplicate();
            }
            double h = t - prevT;
            double s = (tq - prevT) / h;
            NDList out = Scopes.run(new NDList(prevY, prevF, midY, y, f), l -> {
                NDArray y0 = l.get(0);
                NDArray f0 = l.get(1);
                NDArray ym = l.get(2);
                NDArray y1 = l.get(3);
                NDArray f1 = l.get(4);
                NDArray a = f1.sub(f0).mul(2 * h).sub(y1.add(y0).mul(8)).add(ym.mul(16));
                NDArray b = f0.mul(5).sub(f1.mul(3)).mul(h).add(y0.mul(18)).add(y1.mul(14)).sub(ym.mul(32));
                NDArray c = f1.sub(f0.mul(4)).mul(h).sub(y0.mul(11)).sub(y1.mul(5)).add(ym.mul(16));
                NDArray d = f0.mul(h);
                NDArray total = y0.add(d.mul(s)).add(c.mul(s * s)).add(b.mul(s * s * s)).add(a.mul(s * s * s * s));
                return new NDList(total);
            });
            return out.head();
        }

        /** Frees the previous step's dense-output arrays (never the caller's initial value). */
        private void closeDense() {
            if (prevY != null) {
                if (prevY != initial) {
                    prevY.close();
                }
                prevF.close();
                midY.close();
            }
        }

        /** Frees everything but the caller's initial value. */
        void close() {
            closeDense();
            if (y != initial) {
                y.close();
            }
            f.close();
        }
    }

    /**
     * The error for a non-finite estimate at step n from t: names the first non-finite array among
     * the state y and the drifts k (evaluated at times kt), else the estimate itself.
     */
    private static IllegalStateException nonFinite(String estimate, double t, int n, NDArray y, NDArray[] k,
                                                   double[] kt) {
        String what = estimate + " (err / (atol + rtol |x|): an overflow, or atol 0 where x is 0)";
        if (!allFinite(y)) {
            what = "the state x(t)";
        } else {
            for (int i = 0; i < k.length; i++) {
                if (!allFinite(k[i])) {
                    what = "the drift f(x, t) at t = " + kt[i];
                    break;
                }
            }
        }
        return new IllegalStateException("dopri5 stopped at t = " + t + " after " + n + " steps: " + what
                + " has NaN or infinite values (a network with NaN weights, or a diverging drift?)");
    }

    private static boolean allFinite(NDArray a) {
        return !a.isNaN().any().getBoolean() && !a.isInfinite().any().getBoolean();
    }

    private static NDArray weighted(NDArray[] k, double[] w, double dt) {
        NDArray sum = k[0].mul(w[0] * dt);
        for (int i = 1; i < k.length; i++) {
            if (w[i] != 0) {
                sum = sum.add(k[i].mul(w[i] * dt));
            }
        }
        return sum;
    }

    /** RMS over all elements, read back in double (torchdiffeq's default norm for one tensor). */
    private static double rms(NDArray a) {
        NDArray r = a.square().mean().sqrt();
        return r.getDataType() == DataType.FLOAT64 ? r.getDouble() : r.toType(DataType.FLOAT32, false).getFloat();
    }

    /** torchdiffeq's {@code _optimal_step_size}. */
    static double nextStep(double dt, double errorRatio) {
        if (errorRatio == 0) {
            return dt * IFACTOR;
        }
        double dfactor = errorRatio < 1 ? 1.0 : DFACTOR;
        double factor = Math.min(IFACTOR, Math.max(SAFETY / Math.pow(errorRatio, 1.0 / ORDER), dfactor));
        return dt * factor;
    }

    /** Hairer, Norsett and Wanner's initial step (torchdiffeq's {@code _select_initial_step}, order 4). */
    private static double initialStep(OdeFn f, NDArray x, NDArray fx, double t0, double atol, double rtol) {
        double[] d = new double[3];
        double[] h0 = new double[1];
        Scopes.run(new NDList(x, fx), l -> {
            NDArray y0 = l.get(0);
            NDArray f0 = l.get(1);
            NDArray scale = y0.abs().mul(rtol).add(atol);
            d[0] = rms(y0.div(scale));
            d[1] = rms(f0.div(scale));
            if (!Double.isFinite(d[0]) || !Double.isFinite(d[1])) {
                throw nonFinite("the initial step estimate", t0, 0, y0, new NDArray[] {f0}, new double[] {t0});
            }
            h0[0] = d[0] < 1e-5 || d[1] < 1e-5 ? 1e-6 : 0.01 * d[0] / d[1];
            NDArray f1 = f.apply(y0.add(f0.mul(h0[0])), t0 + h0[0]);
            d[2] = rms(f1.sub(f0).div(scale)) / h0[0];
            if (!Double.isFinite(d[2])) {
                throw nonFinite("the initial step estimate", t0, 0, y0.add(f0.mul(h0[0])), new NDArray[] {f1},
                        new double[] {t0 + h0[0]});
            }
            return new NDList();
        });
        double h1 = d[1] <= 1e-15 && d[2] <= 1e-15
                ? Math.max(1e-6, h0[0] * 1e-3)
                : Math.pow(0.01 / Math.max(d[1], d[2]), 1.0 / 5);
        return Math.min(100 * h0[0], h1);
    }
}
