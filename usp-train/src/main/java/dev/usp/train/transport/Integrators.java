package dev.usp.train.transport;

import dev.usp.core.engine.NoAutograd;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.usp.core.engine.Scopes;

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
    private static final int MAX_STEPS = 100_000;

    private Integrators() {
    }

    /** Forward Euler over the grid linspace(t0, t1, numPoints). */
    public static NDArray euler(OdeFn f, NDArray x, double t0, double t1, int numPoints) {
        return fixedGrid(x, grid(t0, t1, numPoints), (y, ta, tb) -> y.add(f.apply(y, ta).mul(tb - ta)));
    }

    /** Heun's method (explicit trapezoid, torchdiffeq's {@code heun2}) over linspace(t0, t1, numPoints). */
    public static NDArray heun(OdeFn f, NDArray x, double t0, double t1, int numPoints) {
        return fixedGrid(x, grid(t0, t1, numPoints), (y, ta, tb) -> {
            double dt = tb - ta;
            NDArray k1 = f.apply(y, ta);
            NDArray k2 = f.apply(y.add(k1.mul(dt)), ta + dt);
            return y.add(k1.mul(0.5).add(k2.mul(0.5)).mul(dt));
        });
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
        NDArray out = fixedGrid(x, t, (y, ta, tb) -> {
            NDArray z = y.getManager().randomNormal(0f, 1f, y.getShape(), y.getDataType());
            NDArray mean = y.add(drift.apply(y, ta).mul(dt));
            return mean.add(z.mul(Math.sqrt(dt) * Math.sqrt(2 * diffusion.applyAsDouble(ta))));
        });
        if (lastStepSize <= 0) {
            return out;
        }
        NDArray last = Scopes.run(out, y -> y.add(drift.apply(y, t1).mul(lastStepSize)));
        if (out != x) {
            out.close();
        }
        return last;
    }

    /** One step of a fixed-grid scheme from ta to tb. */
    private interface GridStep {
        NDArray apply(NDArray y, double ta, double tb);
    }

    private static NDArray fixedGrid(NDArray x, double[] t, GridStep step) {
        NDArray y = x;
        for (int i = 0; i + 1 < t.length; i++) {
            double ta = t[i];
            double tb = t[i + 1];
            NDArray prev = y;
            y = Scopes.run(y, cur -> step.apply(cur, ta, tb));
            if (prev != x) {
                prev.close();
            }
        }
        return y;
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
     *
     * @throws IllegalStateException when more than 100,000 steps are needed
     */
    public static NDArray dopri5(OdeFn f, NDArray x, double t0, double t1, double atol, double rtol) {
        if (t1 <= t0) {
            throw new IllegalArgumentException("dopri5 integrates forward: t0 = " + t0 + ", t1 = " + t1);
        }
        NDArray fx = Scopes.run(x, y -> f.apply(y, t0));
        double dt = initialStep(f, x, fx, t0, atol, rtol);
        Dopri5State s = new Dopri5State(x, fx, t0);
        for (int n = 0; t1 > s.t; n++) {
            if (n >= MAX_STEPS) {
                throw new IllegalStateException("dopri5 needed more than " + MAX_STEPS + " steps (t = " + s.t + ")");
            }
            dt = s.step(f, dt, atol, rtol);
        }
        NDArray out = s.interpolate(t1);
        s.close();
        return out;
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

        /** Attempts one step of size dt; returns the next step size. */
        double step(OdeFn fn, double dt, double atol, double rtol) {
            double tStart = t;
            double tEnd = t + dt;
            double[] ratio = new double[1];
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
                    double ti = C[i] == 1.0 ? tEnd : tStart + C[i] * dt;
                    k[i + 1] = fn.apply(yi, ti);
                }
                NDArray err = weighted(k, E, dt);
                NDArray tol = y0.abs().maximum(yi.abs()).mul(rtol).add(atol);
                ratio[0] = rms(err.div(tol));
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
            h0[0] = d[0] < 1e-5 || d[1] < 1e-5 ? 1e-6 : 0.01 * d[0] / d[1];
            NDArray f1 = f.apply(y0.add(f0.mul(h0[0])), t0 + h0[0]);
            d[2] = rms(f1.sub(f0).div(scale)) / h0[0];
            return new NDList();
        });
        double h1 = d[1] <= 1e-15 && d[2] <= 1e-15
                ? Math.max(1e-6, h0[0] * 1e-3)
                : Math.pow(0.01 / Math.max(d[1], d[2]), 1.0 / 5);
        return Math.min(100 * h0[0], h1);
    }
}
