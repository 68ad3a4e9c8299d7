package dev.usp.models.generation;

import dev.usp.core.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * SiT's {@code create_transport()} defaults: linear path, velocity prediction, no loss weight.
 * For this pairing SiT sets train_eps = sample_eps = 0, so training times are U[0, 1), the ODE
 * runs over [0, 1] and the SDE over [0, 1 - lastStepSize] followed by one mean step.
 */
public final class Transport {

    /** Per-sample loss (N) and the tensors it came from. */
    public record Losses(NDArray loss, NDArray pred, NDArray xt, NDArray ut) {
    }

    private Transport() {
    }

    /** Training times t ~ U[0, 1), shape (N), in {@code dataType}. */
    public static NDArray sampleTimes(NDManager manager, long n, DataType dataType) {
        return manager.randomUniform(0f, 1f, new Shape(n), dataType);
    }

    /**
     * The training loss: x_t = t x1 + (1 - t) x0, target x1 - x0, loss = mean over non-batch dims
     * of (model(x_t, t, y) - target)^2.
     *
     * @param x1 the data (N, C, ...)
     * @param t times (N) or null to draw U[0, 1) from x1's manager
     * @param x0 Gaussian noise like x1, or null to draw it
     */
    public static Losses trainingLosses(VelocityFn model, NDArray x1, NDArray y, NDArray t, NDArray x0) {
        NDManager m = x1.getManager();
        NDArray times = t != null ? t : sampleTimes(m, x1.getShape().get(0), x1.getDataType());
        NDArray noise = x0 != null ? x0 : m.randomNormal(0f, 1f, x1.getShape(), x1.getDataType());
        NDArray xt = LinearPath.xt(times, noise, x1);
        NDArray ut = LinearPath.ut(noise, x1);
        NDArray pred = model.apply(xt, times, y);
        if (!pred.getShape().equals(xt.getShape())) {
            throw new IllegalArgumentException("model output " + pred.getShape() + " must match x_t " + xt.getShape());
        }
        return new Losses(DiffusionMath.meanFlat(pred.sub(ut).square()), pred, xt, ut);
    }

    /** The probability-flow ODE drift: the velocity network at time t for the whole batch. */
    public static OdeFn velocityDrift(VelocityFn model, NDArray y) {
        return (x, t) -> model.apply(x, times(x, t), y);
    }

    /** The SDE drift v + w(t) * score(v), with SiT's diffusion coefficient w of the given form. */
    public static OdeFn sdeDrift(VelocityFn model, NDArray y, String diffusionForm, double diffusionNorm) {
        return (x, t) -> {
            NDArray v = model.apply(x, times(x, t), y);
            double w = LinearPath.diffusion(diffusionForm, diffusionNorm, t);
            return v.add(Scalars.mul(LinearPath.scoreFromVelocity(v, x, t), w));
        };
    }

    /**
     * ODE sampling from noise at t = 0 to data at t = 1.
     *
     * @param method {@code dopri5} (adaptive, atol/rtol), {@code euler} or {@code heun}
     *     (fixed grid of {@code numSteps} points, i.e. numSteps - 1 steps)
     */
    public static NDArray sampleOde(VelocityFn model, NDArray y, NDArray noise, String method,
                                    int numSteps, double atol, double rtol) {
        return sampleOde(model, y, noise, method, numSteps, atol, rtol, Integrators.DEFAULT_MAX_STEPS);
    }

    /**
     * {@link #sampleOde(VelocityFn, NDArray, NDArray, String, int, double, double)} with dopri5
     * stopped after {@code maxSteps} attempted steps ({@link Integrators#dopri5}).
     */
    public static NDArray sampleOde(VelocityFn model, NDArray y, NDArray noise, String method,
                                    int numSteps, double atol, double rtol, int maxSteps) {
        OdeFn drift = velocityDrift(model, y);
        switch (method) {
            case "dopri5":
                return Integrators.dopri5(drift, noise, 0.0, 1.0, atol, rtol, maxSteps);
            case "euler":
                return Integrators.euler(drift, noise, 0.0, 1.0, numSteps);
            case "heun":
            case "heun2":
                return Integrators.heun(drift, noise, 0.0, 1.0, numSteps);
            default:
                throw new IllegalArgumentException("unknown ODE method '" + method + "' (dopri5, euler, heun)");
        }
    }

    /**
     * SiT's default SDE sampling: Euler-Maruyama over {@code numSteps} grid points on
     * [0, 1 - lastStepSize], then one noise-free mean step of size {@code lastStepSize}.
     */
    public static NDArray sampleSde(VelocityFn model, NDArray y, NDArray noise, int numSteps,
                                    String diffusionForm, double diffusionNorm, double lastStepSize) {
        OdeFn drift = sdeDrift(model, y, diffusionForm, diffusionNorm);
        return Integrators.eulerMaruyama(drift, t -> LinearPath.diffusion(diffusionForm, diffusionNorm, t),
                noise, 0.0, 1.0 - lastStepSize, numSteps, lastStepSize);
    }

    private static NDArray times(NDArray x, double t) {
        return x.getManager().full(new Shape(x.getShape().get(0)), (float) t, x.getDataType());
    }
}
