package dev.usp.models.generation;


import java.util.Locale;

/**
 * How to turn noise into latents with a DiT or SiT network.
 *
 * @param method {@code ddpm} (DiT ancestral sampling over {@code steps} respaced steps; 250 is
 *     the official setting), {@code ddim} (DiT, with {@code eta}), {@code ode} (SiT probability
 *     flow with {@code solver}) or {@code sde} (SiT Euler-Maruyama, last step the mean)
 * @param steps respaced diffusion steps, or the ODE/SDE grid points (dopri5 ignores it)
 * @param eta DDIM stochasticity (0 deterministic)
 * @param solver ODE solver: {@code dopri5}, {@code euler} or {@code heun}
 * @param atol dopri5 absolute tolerance
 * @param rtol dopri5 relative tolerance (atol and rtol may not both be 0)
 * @param maxSteps dopri5's limit on attempted steps ({@link Integrators#DEFAULT_MAX_STEPS} by default)
 * @param diffusionForm SiT's SDE diffusion coefficient form (official default {@code sigma})
 * @param diffusionNorm SiT's SDE diffusion norm (official default 1.0)
 * @param lastStepSize SiT's SDE final mean step size (official default 0.04)
 * @param cfgScale classifier-free guidance scale; 1 samples unguided (no batch doubling)
 * @param cfgAllChannels guide all latent channels instead of DiT's first three
 */
public record SamplerSettings(String method, int steps, double eta, String solver, double atol, double rtol,
                              int maxSteps, String diffusionForm, double diffusionNorm, double lastStepSize,
                              double cfgScale, boolean cfgAllChannels) {

    /** Validates the method names and ranges (NaN and infinite eta or cfg scale included). */
    public SamplerSettings {
        method = method.toLowerCase(Locale.ROOT);
        if (!method.equals("ddpm") && !method.equals("ddim") && !method.equals("ode") && !method.equals("sde")) {
            throw new IllegalArgumentException("unknown sampling method '" + method + "' (ddpm, ddim, ode, sde)");
        }
        if (!solver.equals("dopri5") && !solver.equals("euler") && !solver.equals("heun")) {
            throw new IllegalArgumentException("unknown ODE solver '" + solver + "' (dopri5, euler, heun)");
        }
        // written as !(x >= bound) so that NaN fails too
        if (steps < 1 || !(eta >= 0) || !(cfgScale >= 1)) {
            throw new IllegalArgumentException("sampler needs steps >= 1, eta >= 0 and cfg scale >= 1; got steps "
                    + steps + ", eta " + eta + ", cfg " + cfgScale);
        }
        if (method.equals("ode") && solver.equals("dopri5")) {
            Integrators.checkTolerances(atol, rtol);
            if (maxSteps < 1) {
                throw new IllegalArgumentException("dopri5 needs max steps >= 1, got " + maxSteps);
            }
        }
        if (Double.isInfinite(eta) || Double.isInfinite(cfgScale)) {
            throw new IllegalArgumentException("sampler needs a finite eta and cfg scale; got eta " + eta + ", cfg "
                    + cfgScale);
        }
    }

    /** DiT's official sampling: 250 DDPM steps, no guidance. */
    public static SamplerSettings ddpm(int steps) {
        return new SamplerSettings("ddpm", steps, 0, "dopri5", 1e-6, 1e-3, Integrators.DEFAULT_MAX_STEPS,
                "sigma", 1.0, 0.04, 1.0, false);
    }

    /** Deterministic DDIM (eta 0) or stochastic DDIM (eta > 0) over {@code steps} respaced steps, no guidance. */
    public static SamplerSettings ddim(int steps, double eta) {
        return new SamplerSettings("ddim", steps, eta, "dopri5", 1e-6, 1e-3, Integrators.DEFAULT_MAX_STEPS,
                "sigma", 1.0, 0.04, 1.0, false);
    }

    /** SiT's ODE sampling with the given solver and grid (official: dopri5, atol 1e-6, rtol 1e-3). */
    public static SamplerSettings ode(String solver, int steps) {
        return new SamplerSettings("ode", steps, 0, solver, 1e-6, 1e-3, Integrators.DEFAULT_MAX_STEPS,
                "sigma", 1.0, 0.04, 1.0, false);
    }

    /** The family whose process this method runs: ode and sde the transport (SiT), ddpm and ddim the diffusion (DiT). */
    public GeneratorFamily family() {
        return method.equals("ode") || method.equals("sde") ? GeneratorFamily.SIT : GeneratorFamily.DIT;
    }

    /** A copy with another guidance scale and channel rule. */
    public SamplerSettings withCfg(double scale, boolean allChannels) {
        return new SamplerSettings(method, steps, eta, solver, atol, rtol, maxSteps, diffusionForm, diffusionNorm,
                lastStepSize, scale, allChannels);
    }
}
