package dev.usp.models.generation;

import dev.usp.core.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.engine.Scopes;
import dev.usp.core.engine.Scalars;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * DiT's (ADM's) Gaussian diffusion with epsilon prediction and a learned-range variance, over a
 * possibly respaced subset of the original timesteps ({@code SpacedDiffusion}).
 *
 * <p>All schedule tables are float64 ({@code double[]}), as in ADM. Per-batch values are gathered
 * into arrays of the input's data type and shape (N, 1, ..., 1) in the input's manager, so the
 * tensor math runs in the network's precision (float32 in training; float64 works too).
 * Timestep arrays {@code t} index THIS process (0..numTimesteps-1); the network is called with
 * the original timesteps through {@link #timestepMap()}. The loss is ADM's {@code LossType.MSE}:
 * epsilon MSE plus the variational-bound term on the variance with the mean detached.
 */
public final class GaussianDiffusion {

    /** The float64 tables, named as ADM's attributes. */
    public enum Table {
        BETAS, LOG_BETAS, ALPHAS_CUMPROD, ALPHAS_CUMPROD_PREV, ALPHAS_CUMPROD_NEXT,
        SQRT_ALPHAS_CUMPROD, SQRT_ONE_MINUS_ALPHAS_CUMPROD, LOG_ONE_MINUS_ALPHAS_CUMPROD,
        SQRT_RECIP_ALPHAS_CUMPROD, SQRT_RECIPM1_ALPHAS_CUMPROD, POSTERIOR_VARIANCE,
        POSTERIOR_LOG_VARIANCE_CLIPPED, POSTERIOR_MEAN_COEF1, POSTERIOR_MEAN_COEF2
    }

    /** q(x_{t-1} | x_t, x_0): mean (N, C, ...), variance and log variance (N, 1, ...). */
    public record Posterior(NDArray mean, NDArray variance, NDArray logVariance) {
    }

    /** p(x_{t-1} | x_t): mean, variance, log variance and the x_0 prediction, all (N, C, ...). */
    public record PMeanVariance(NDArray mean, NDArray variance, NDArray logVariance, NDArray predXstart) {
    }

    /** Per-sample training terms (N): loss = mse + vb, vb in bits per dimension. */
    public record Losses(NDArray loss, NDArray mse, NDArray vb) {
    }

    /** One sampler step: x_{t-1} and the x_0 prediction it came from. */
    public record SampleStep(NDArray sample, NDArray predXstart) {
    }

    private static final double LOG2 = Math.log(2.0);
    /** The first of the caller's extra columns in {@link #reverse}'s coefficient array. */
    private static final int EXTRA = 8;

    private final int numTimesteps;
    private final int[] timestepMap;
    private final Map<Table, double[]> tables = new EnumMap<>(Table.class);

    /**
     * A diffusion over the kept timesteps of the original process given by {@code baseBetas}.
     *
     * @param baseBetas the original schedule (float64)
     * @param useTimesteps the kept steps, ascending, from {@link Respacing#spaceTimesteps}
     */
    public GaussianDiffusion(double[] baseBetas, int[] useTimesteps) {
        double[] baseCumprod = cumprod(baseBetas);
        double[] betas = new double[useTimesteps.length];
        double last = 1.0;
        int prev = -1;
        for (int i = 0; i < useTimesteps.length; i++) {
            int s = useTimesteps[i];
            if (s <= prev || s >= baseBetas.length) {
                throw new IllegalArgumentException("timesteps must ascend within [0, " + baseBetas.length
                        + "): got " + s + " after " + prev);
            }
            betas[i] = 1 - baseCumprod[s] / last;
            last = baseCumprod[s];
            prev = s;
        }
        this.numTimesteps = betas.length;
        this.timestepMap = useTimesteps.clone();
        buildTables(betas);
    }

    /**
     * DiT's {@code create_diffusion(respacing)} with its defaults: linear betas over 1000 steps,
     * epsilon prediction, learned-range variance, MSE loss.
     *
     * @param timestepRespacing e.g. {@code ""} (all 1000, for training), {@code "250"}, {@code "ddim50"}
     */
    public static GaussianDiffusion create(String timestepRespacing) {
        return create(timestepRespacing, 1000);
    }

    /** As {@link #create(String)} with another number of original steps. */
    public static GaussianDiffusion create(String timestepRespacing, int diffusionSteps) {
        return new GaussianDiffusion(BetaSchedules.named("linear", diffusionSteps),
                Respacing.spaceTimesteps(diffusionSteps, timestepRespacing));
    }

    private void buildTables(double[] betas) {
        int n = betas.length;
        double[] ac = cumprod(betas);
        double[] acPrev = new double[n];
        double[] acNext = new double[n];
        double[] logBetas = new double[n];
        double[] sqrtAc = new double[n];
        double[] sqrtOneMinusAc = new double[n];
        double[] logOneMinusAc = new double[n];
        double[] sqrtRecipAc = new double[n];
        double[] sqrtRecipm1Ac = new double[n];
        double[] postVar = new double[n];
        double[] postLogVar = new double[n];
        double[] coef1 = new double[n];
        double[] coef2 = new double[n];
        for (int i = 0; i < n; i++) {
            if (!(betas[i] > 0 && betas[i] <= 1)) {
                throw new IllegalArgumentException("beta[" + i + "] = " + betas[i] + " is outside (0, 1]");
            }
            acPrev[i] = i == 0 ? 1.0 : ac[i - 1];
            acNext[i] = i == n - 1 ? 0.0 : ac[i + 1];
            logBetas[i] = Math.log(betas[i]);
            sqrtAc[i] = Math.sqrt(ac[i]);
            sqrtOneMinusAc[i] = Math.sqrt(1.0 - ac[i]);
            logOneMinusAc[i] = Math.log(1.0 - ac[i]);
            sqrtRecipAc[i] = Math.sqrt(1.0 / ac[i]);
            sqrtRecipm1Ac[i] = Math.sqrt(1.0 / ac[i] - 1);
            postVar[i] = betas[i] * (1.0 - acPrev[i]) / (1.0 - ac[i]);
            coef1[i] = betas[i] * Math.sqrt(acPrev[i]) / (1.0 - ac[i]);
            coef2[i] = (1.0 - acPrev[i]) * Math.sqrt(1.0 - betas[i]) / (1.0 - ac[i]);
        }
        // The posterior variance is 0 at t = 0: its log is clipped to the value at t = 1.
        if (n > 1) {
            for (int i = 0; i < n; i++) {
                postLogVar[i] = Math.log(postVar[Math.max(i, 1)]);
            }
        }
        tables.put(Table.BETAS, betas.clone());
        tables.put(Table.LOG_BETAS, logBetas);
        tables.put(Table.ALPHAS_CUMPROD, ac);
        tables.put(Table.ALPHAS_CUMPROD_PREV, acPrev);
        tables.put(Table.ALPHAS_CUMPROD_NEXT, acNext);
        tables.put(Table.SQRT_ALPHAS_CUMPROD, sqrtAc);
        tables.put(Table.SQRT_ONE_MINUS_ALPHAS_CUMPROD, sqrtOneMinusAc);
        tables.put(Table.LOG_ONE_MINUS_ALPHAS_CUMPROD, logOneMinusAc);
        tables.put(Table.SQRT_RECIP_ALPHAS_CUMPROD, sqrtRecipAc);
        tables.put(Table.SQRT_RECIPM1_ALPHAS_CUMPROD, sqrtRecipm1Ac);
        tables.put(Table.POSTERIOR_VARIANCE, postVar);
        tables.put(Table.POSTERIOR_LOG_VARIANCE_CLIPPED, postLogVar);
        tables.put(Table.POSTERIOR_MEAN_COEF1, coef1);
        tables.put(Table.POSTERIOR_MEAN_COEF2, coef2);
    }

    private static double[] cumprod(double[] betas) {
        double[] out = new double[betas.length];
        double acc = 1.0;
        for (int i = 0; i < betas.length; i++) {
            acc *= 1.0 - betas[i];
            out[i] = acc;
        }
        return out;
    }

    /** Number of steps of this (possibly respaced) process. */
    public int numTimesteps() {
        return numTimesteps;
    }

    /** For each step of this process, the original timestep the network is given. */
    public int[] timestepMap() {
        return timestepMap.clone();
    }

    /** A copy of one float64 table, indexed by this process's steps. */
    public double[] table(Table which) {
        return tables.get(which).clone();
    }

    /** Training timesteps uniform over 0..numTimesteps-1, int64 (N) in {@code manager} (DiT's randint). */
    public NDArray sampleTimesteps(NDManager manager, long n) {
        return manager.randomInteger(0, numTimesteps, new Shape(n), DataType.INT64);
    }

    // ---------------------------------------------------------------- forward process

    /** x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) noise; x_0 and noise (N, C, ...), t (N). */
    public NDArray qSample(NDArray xStart, NDArray t, NDArray noise) {
        checkSameShape("noise", noise, xStart);
        long[] idx = indices(t, xStart);
        return xStart.mul(gather(Table.SQRT_ALPHAS_CUMPROD, idx, xStart))
                .add(noise.mul(gather(Table.SQRT_ONE_MINUS_ALPHAS_CUMPROD, idx, xStart)));
    }

    /** The diffusion posterior q(x_{t-1} | x_t, x_0). */
    public Posterior qPosteriorMeanVariance(NDArray xStart, NDArray xT, NDArray t) {
        checkSameShape("x_start", xStart, xT);
        return posterior(xStart, xT, indices(t, xT));
    }

    private Posterior posterior(NDArray xStart, NDArray xT, long[] idx) {
        NDArray mean = xStart.mul(gather(Table.POSTERIOR_MEAN_COEF1, idx, xT))
                .add(xT.mul(gather(Table.POSTERIOR_MEAN_COEF2, idx, xT)));
        return new Posterior(mean, gather(Table.POSTERIOR_VARIANCE, idx, xT),
                gather(Table.POSTERIOR_LOG_VARIANCE_CLIPPED, idx, xT));
    }

    /** x_0 = sqrt(1/abar) x_t - sqrt(1/abar - 1) eps. */
    public NDArray predictXstartFromEps(NDArray xT, NDArray t, NDArray eps) {
        return xstartFromEps(xT, indices(t, xT), eps);
    }

    private NDArray xstartFromEps(NDArray xT, long[] idx, NDArray eps) {
        return xT.mul(gather(Table.SQRT_RECIP_ALPHAS_CUMPROD, idx, xT))
                .sub(eps.mul(gather(Table.SQRT_RECIPM1_ALPHAS_CUMPROD, idx, xT)));
    }

    /** eps = (sqrt(1/abar) x_t - x_0) / sqrt(1/abar - 1). */
    public NDArray predictEpsFromXstart(NDArray xT, NDArray t, NDArray predXstart) {
        return epsFromXstart(xT, indices(t, xT), predXstart);
    }

    private NDArray epsFromXstart(NDArray xT, long[] idx, NDArray predXstart) {
        return xT.mul(gather(Table.SQRT_RECIP_ALPHAS_CUMPROD, idx, xT)).sub(predXstart)
                .div(gather(Table.SQRT_RECIPM1_ALPHAS_CUMPROD, idx, xT));
    }

    // ---------------------------------------------------------------- reverse process

    /** The original timesteps for the network, int64 (N), in {@code like}'s manager. */
    public NDArray modelTimesteps(NDArray t, NDArray like) {
        return modelTimesteps(indices(t, like), like);
    }

    private NDArray modelTimesteps(long[] idx, NDArray like) {
        long[] mapped = new long[idx.length];
        for (int i = 0; i < idx.length; i++) {
            mapped[i] = timestepMap[(int) idx[i]];
        }
        return HostArrays.longs(like.getManager(), mapped);
    }

    /** Calls the network at x_t and forms p(x_{t-1} | x_t). */
    public PMeanVariance pMeanVariance(DenoiserFn model, NDArray x, NDArray t, NDArray y, boolean clipDenoised) {
        long[] idx = indices(t, x);
        return pMeanVariance(model.apply(x, modelTimesteps(idx, x), y), x, idx, clipDenoised);
    }

    /**
     * p(x_{t-1} | x_t) from a given network output (N, 2C, ...): epsilon, then the variance value
     * v in [-1, 1] interpolating the log variance between the clipped posterior's and beta's.
     */
    public PMeanVariance pMeanVarianceFromOutput(NDArray modelOutput, NDArray x, NDArray t, boolean clipDenoised) {
        return pMeanVariance(modelOutput, x, indices(t, x), clipDenoised);
    }

    private PMeanVariance pMeanVariance(NDArray modelOutput, NDArray x, long[] idx, boolean clipDenoised) {
        Reverse r = reverse(modelOutput, x, idx, clipDenoised);
        NDArray logVariance = r.logVariance();
        return new PMeanVariance(r.mean(), logVariance.exp(), logVariance, r.predXstart());
    }

    /**
     * The x_0 prediction from a network output, with every per-sample number of the step in one
     * array (see {@link Coefficients}): columns 0-7 are the ones {@link Reverse} uses, the
     * {@code extra} ones follow ({@link Reverse#extra}).
     */
    private Reverse reverse(NDArray modelOutput, NDArray x, long[] idx, boolean clipDenoised, double[]... extra) {
        NDList parts = splitOutput(modelOutput, x);
        double[][] cols = new double[EXTRA + extra.length][];
        cols[0] = at(Table.LOG_BETAS, idx);
        cols[1] = at(Table.POSTERIOR_LOG_VARIANCE_CLIPPED, idx);
        cols[2] = at(Table.SQRT_RECIP_ALPHAS_CUMPROD, idx);
        cols[3] = at(Table.SQRT_RECIPM1_ALPHAS_CUMPROD, idx);
        cols[4] = at(Table.POSTERIOR_MEAN_COEF1, idx);
        cols[5] = at(Table.POSTERIOR_MEAN_COEF2, idx);
        cols[6] = filled(idx.length, 1.0);
        cols[7] = filled(idx.length, 2.0);
        System.arraycopy(extra, 0, cols, EXTRA, extra.length);
        NDList c = Coefficients.columns(x, cols);
        NDArray xScaled = x.mul(c.get(2));
        NDArray predXstart = xScaled.sub(parts.get(0).mul(c.get(3)));
        if (clipDenoised) {
            predXstart = predXstart.clip(-1, 1);
        }
        return new Reverse(x, parts.get(1), xScaled, predXstart, c);
    }

    /**
     * p(x_{t-1} | x_t) from {@link #reverse}, each part computed when asked for (DDIM needs only
     * x_0), with ADM's ops in ADM's order, so the same bits as scalar and gathered operands:
     * frac = (v + 1) / 2, 1 - frac for -frac + 1.
     */
    private record Reverse(NDArray x, NDArray v, NDArray xScaled, NDArray predXstart, NDList columns) {
        /** The log variance, interpolated by frac between log beta and the clipped posterior's. */
        NDArray logVariance() {
            NDArray one = columns.get(6);
            NDArray frac = v.add(one).div(columns.get(7));
            return frac.mul(columns.get(0)).add(one.sub(frac).mul(columns.get(1)));
        }

        /** The posterior mean at the predicted x_0. */
        NDArray mean() {
            return predXstart.mul(columns.get(4)).add(x.mul(columns.get(5)));
        }

        /** sqrt(1/abar - 1) per sample. */
        NDArray sqrtRecipm1() {
            return columns.get(3);
        }

        /** The caller's extra column i. */
        NDArray extra(int i) {
            return columns.get(EXTRA + i);
        }
    }

    private static NDList splitOutput(NDArray modelOutput, NDArray x) {
        Shape xs = x.getShape();
        long c = xs.get(1);
        Shape expected = new Shape(xs.get(0), 2 * c).addAll(xs.slice(2));
        if (!modelOutput.getShape().equals(expected)) {
            throw new IllegalArgumentException("model output has shape " + modelOutput.getShape()
                    + "; a learned-range variance needs " + expected + " (eps ++ variance value)");
        }
        return modelOutput.split(new long[] {c}, 1);
    }

    // ---------------------------------------------------------------- training

    /**
     * DiT's training loss at integer steps {@code t}: noise the batch, call the network, return
     * (loss, mse, vb) per sample.
     *
     * @param noise the Gaussian noise, or null to draw it from x_0's manager
     */
    public Losses trainingLosses(DenoiserFn model, NDArray xStart, NDArray t, NDArray y, NDArray noise) {
        NDArray eps = noise != null ? noise : standardNormal(xStart);
        NDArray xT = qSample(xStart, t, eps);
        NDArray out = model.apply(xT, modelTimesteps(t, xT), y);
        return lossesFromOutput(out, xStart, xT, t, eps);
    }

    /**
     * The training terms for a given network output at x_t: mse = mean((noise - eps)^2) and vb =
     * the variational-bound term (bits per dim) computed with the epsilon part detached, so the
     * vb term only trains the variance channels.
     */
    public Losses lossesFromOutput(NDArray modelOutput, NDArray xStart, NDArray xT, NDArray t, NDArray noise) {
        long[] idx = indices(t, xT);
        NDList parts = splitOutput(modelOutput, xT);
        NDArray eps = parts.get(0);
        NDArray frozen = eps.stopGradient().concat(parts.get(1), 1);
        NDArray vb = vbTerms(frozen, xStart, xT, idx, false);
        NDArray mse = DiffusionMath.meanFlat(noise.sub(eps).square());
        return new Losses(mse.add(vb), mse, vb);
    }

    /**
     * One term of the variational bound in bits per dim (N): the KL between posterior and model
     * at t > 0, the discretised decoder NLL at t = 0.
     */
    public NDArray vbTermsBpd(NDArray modelOutput, NDArray xStart, NDArray xT, NDArray t, boolean clipDenoised) {
        return vbTerms(modelOutput, xStart, xT, indices(t, xT), clipDenoised);
    }

    private NDArray vbTerms(NDArray modelOutput, NDArray xStart, NDArray xT, long[] idx, boolean clipDenoised) {
        Posterior truth = posterior(xStart, xT, idx);
        PMeanVariance out = pMeanVariance(modelOutput, xT, idx, clipDenoised);
        NDArray kl = Scalars.div(DiffusionMath.meanFlat(
                DiffusionMath.normalKl(truth.mean(), truth.logVariance(), out.mean(), out.logVariance())), LOG2);
        NDArray nll = Scalars.div(DiffusionMath.meanFlat(DiffusionMath.discretizedGaussianLogLikelihood(
                xStart, out.mean(), Scalars.mul(out.logVariance(), 0.5)).neg()), LOG2);
        boolean[] first = new boolean[idx.length];
        for (int i = 0; i < idx.length; i++) {
            first[i] = idx[i] == 0;
        }
        return NDArrays.where(HostArrays.booleans(xT.getManager(), first), nll, kl);
    }

    // ---------------------------------------------------------------- sampling

    /**
     * One ancestral step x_t to x_{t-1} = mean + sigma * noise; no noise where t = 0.
     *
     * @param noise the Gaussian noise, or null to draw it from x's manager
     */
    public SampleStep pSample(DenoiserFn model, NDArray x, NDArray t, NDArray y, boolean clipDenoised, NDArray noise) {
        return pSample(model, x, indices(t, x), y, clipDenoised, noise);
    }

    /** {@link #pSample(DenoiserFn, NDArray, NDArray, NDArray, boolean, NDArray)} at steps {@code idx}. */
    SampleStep pSample(DenoiserFn model, NDArray x, long[] idx, NDArray y, boolean clipDenoised, NDArray noise) {
        NDArray out = model.apply(x, modelTimesteps(idx, x), y);
        double[] nonZero = nonZero(idx);
        Reverse r = reverse(out, x, idx, clipDenoised, filled(idx.length, 0.5), nonZero);
        NDArray z = noise != null ? noise : standardNormal(x);
        NDArray scale = r.logVariance().mul(r.extra(0)).exp();
        if (Arrays.stream(nonZero).anyMatch(v -> v == 0)) {
            scale = scale.mul(r.extra(1));       // x * 1 = x: skipped where no sample is at t = 0
        }
        return new SampleStep(r.mean().add(scale.mul(z)), r.predXstart());
    }

    /**
     * One DDIM step (Song et al., eq. 12) with stochasticity {@code eta} (0 = deterministic).
     *
     * @param noise the Gaussian noise, or null to draw it from x's manager (used only if eta > 0)
     */
    public SampleStep ddimSample(DenoiserFn model, NDArray x, NDArray t, NDArray y, boolean clipDenoised,
                                 double eta, NDArray noise) {
        return ddimSample(model, x, indices(t, x), y, clipDenoised, eta, noise);
    }

    /** {@link #ddimSample(DenoiserFn, NDArray, NDArray, NDArray, boolean, double, NDArray)} at steps {@code idx}. */
    SampleStep ddimSample(DenoiserFn model, NDArray x, long[] idx, NDArray y, boolean clipDenoised,
                          double eta, NDArray noise) {
        NDArray out = model.apply(x, modelTimesteps(idx, x), y);
        double[] ab = tables.get(Table.ALPHAS_CUMPROD);
        double[] abPrev = tables.get(Table.ALPHAS_CUMPROD_PREV);
        double[] sqrtAbPrev = new double[idx.length];
        double[] epsCoef = new double[idx.length];
        double[] noiseCoef = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            int k = (int) idx[i];
            double sigma = eta * Math.sqrt((1 - abPrev[k]) / (1 - ab[k])) * Math.sqrt(1 - ab[k] / abPrev[k]);
            sqrtAbPrev[i] = Math.sqrt(abPrev[k]);
            epsCoef[i] = Math.sqrt(1 - abPrev[k] - sigma * sigma);
            noiseCoef[i] = k != 0 ? sigma : 0.0;
        }
        Reverse r = reverse(out, x, idx, clipDenoised, sqrtAbPrev, epsCoef, noiseCoef);
        NDArray eps = r.xScaled().sub(r.predXstart()).div(r.sqrtRecipm1());
        NDArray mean = r.predXstart().mul(r.extra(0)).add(eps.mul(r.extra(1)));
        if (eta > 0) {
            NDArray z = noise != null ? noise : standardNormal(x);
            mean = mean.add(z.mul(r.extra(2)));
        }
        return new SampleStep(mean, r.predXstart());
    }

    /**
     * DDPM ancestral sampling from x_T = {@code noise} through every step of this process, each step
     * in its own scratch manager; the result belongs to {@code noise}'s manager.
     */
    public NDArray pSampleLoop(DenoiserFn model, NDArray noise, NDArray y, boolean clipDenoised) {
        return loop(noise, (x, idx) -> pSample(model, x, idx, y, clipDenoised, null).sample());
    }

    /** DDIM sampling from x_T = {@code noise} through every step of this process. */
    public NDArray ddimSampleLoop(DenoiserFn model, NDArray noise, NDArray y, boolean clipDenoised, double eta) {
        return loop(noise, (x, idx) -> ddimSample(model, x, idx, y, clipDenoised, eta, null).sample());
    }

    private NDArray loop(NDArray noise, BiFunction<NDArray, long[], NDArray> step) {
        NDArray x = noise;
        long n = noise.getShape().get(0);
        for (int i = numTimesteps - 1; i >= 0; i--) {
            long[] ts = new long[(int) n];
            Arrays.fill(ts, i);
            NDArray prev = x;
            x = Scopes.run(x, cur -> step.apply(cur, ts));
            if (prev != noise) {
                prev.close();
            }
        }
        return x;
    }

    // ---------------------------------------------------------------- gathers

    private NDArray gather(Table which, long[] idx, NDArray like) {
        return Coefficients.columns(like, at(which, idx)).head();
    }

    /** The table's values at steps {@code idx}. */
    private double[] at(Table which, long[] idx) {
        double[] table = tables.get(which);
        double[] values = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            values[i] = table[(int) idx[i]];
        }
        return values;
    }

    private static double[] filled(int n, double value) {
        double[] out = new double[n];
        Arrays.fill(out, value);
        return out;
    }

    private static double[] nonZero(long[] idx) {
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = idx[i] != 0 ? 1.0 : 0.0;
        }
        return out;
    }

    private long[] indices(NDArray t, NDArray like) {
        if (t.getShape().dimension() != 1 || t.getShape().get(0) != like.getShape().get(0)) {
            throw new IllegalArgumentException("timesteps must have shape (" + like.getShape().get(0)
                    + "), got " + t.getShape());
        }
        long[] idx;
        if (t.getDataType() == DataType.INT64) {
            idx = t.toLongArray();
        } else {
            try (NDArray asLong = t.toType(DataType.INT64, false)) {
                idx = asLong.toLongArray();
            }
        }
        for (long i : idx) {
            if (i < 0 || i >= numTimesteps) {
                throw new IllegalArgumentException("timestep " + i + " is outside [0, " + numTimesteps + ")");
            }
        }
        return idx;
    }

    private static NDArray standardNormal(NDArray like) {
        return like.getManager().randomNormal(0f, 1f, like.getShape(), like.getDataType());
    }

    private static void checkSameShape(String name, NDArray a, NDArray b) {
        if (!a.getShape().equals(b.getShape())) {
            throw new IllegalArgumentException(name + " has shape " + a.getShape() + ", expected " + b.getShape());
        }
    }
}
