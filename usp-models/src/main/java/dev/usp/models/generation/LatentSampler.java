package dev.usp.models.generation;

import dev.usp.core.engine.HostArrays;
import dev.usp.core.engine.InferenceMode;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.models.dit.DiT;
import dev.usp.models.sit.SiT;
import dev.usp.core.engine.Scopes;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Generates latents with a DiT (DDPM, DDIM) or SiT (ODE, SDE) network, one seed per sample: the
 * initial noise of sample i and every later noise draw of the DDPM/DDIM samplers come from
 * {@code SplittableRandom(seeds[i])}, so a sample does not depend on the rest of its batch
 * (up to the batch-wide step sizes of dopri5, and the SDE, whose noise comes from the engine
 * seeded with the batch's first seed). Classifier-free guidance doubles the batch with the null
 * class and keeps the guided half; at scale 1 the network runs once, unguided, as DiT's
 * {@code sample.py} does. The network must be in eval mode (no label dropout). Sampling runs in
 * libtorch's inference mode ({@link InferenceMode}: the same numbers, less dispatch per op) and
 * returns normal arrays.
 */
public final class LatentSampler {

    private LatentSampler() {
    }

    /**
     * Samples latents (N, C, H, W) in {@code m} for the given labels (N) and seeds (N).
     *
     * @throws IllegalArgumentException when the method does not fit the network (DDPM/DDIM need a
     *     DiT with learned sigma, ODE/SDE a SiT) or the arrays' lengths differ
     */
    public static NDArray sample(DiT model, SamplerSettings s, int[] labels, long[] seeds, NDManager m) {
        if (labels.length != seeds.length || labels.length == 0) {
            throw new IllegalArgumentException(labels.length + " labels for " + seeds.length + " seeds");
        }
        if (GeneratorFamily.of(model) != s.family()) {
            throw new IllegalArgumentException("method " + s.method() + " does not fit a "
                    + model.getClass().getSimpleName() + " (DiT: ddpm, ddim; SiT: ode, sde)");
        }
        return InferenceMode.call(() -> sampleInside(model, s, labels, seeds, m));
    }

    /** {@link #sample} after its checks, in whatever mode the calling thread is in. */
    static NDArray sampleInside(DiT model, SamplerSettings s, int[] labels, long[] seeds, NDManager m) {
        int c = model.config().inChannels();
        int side = model.config().inputSize();
        NoiseStreams noise = new NoiseStreams(seeds, new Shape(c, side, side));
        NDArray x0 = noise.next(m);
        NDArray y = HostArrays.longs(m, Arrays.stream(labels).asLongStream().toArray());
        NDArray out;
        switch (s.method()) {
            case "ddpm":
            case "ddim":
                out = diffusionLoop(model, s, x0, y, noise);
                break;
            case "ode":
                out = Transport.sampleOde(guided(model, s)::apply, y, x0, s.solver(), s.steps(), s.atol(), s.rtol(),
                        s.maxSteps());
                break;
            default:
                Engine.getInstance().setRandomSeed((int) seeds[0]);
                out = Transport.sampleSde(guided(model, s)::apply, y, x0, s.steps(), s.diffusionForm(),
                        s.diffusionNorm(), s.lastStepSize());
                break;
        }
        if (out != x0) {
            x0.close();
        }
        return out;
    }

    /**
     * The network as the samplers call it: plain {@code forward} at scale 1, else the doubled
     * batch (x, x) with labels (y, null) through {@code forwardWithCfg}, keeping the first half.
     * Returns an array in x's manager of shape (N, outChannels, H, W).
     *
     * @throws IllegalArgumentException for a scale other than 1 when the network has no null class
     */
    public static DenoiserFn guided(DiT model, SamplerSettings s) {
        if (s.cfgScale() != 1.0 && model.config().labelTableRows() == model.config().numClasses()) {
            throw new IllegalArgumentException("guidance scale " + s.cfgScale() + " needs the null class, but this "
                    + "network was trained without label dropout (no null-class row)");
        }
        int nullClass = model.labelEmbedder().nullClass();
        return (x, t, labels) -> {
            // the labels live in the caller's manager: copy them into x's so no temporary lands there
            NDArray y = HostArrays.longs(x.getManager(), labels.toLongArray());
            if (s.cfgScale() == 1.0) {
                return model.forward(x, t, y);
            }
            long n = x.getShape().get(0);
            NDArray xx = NDArrays.concat(new NDList(x, x), 0);
            NDArray tt = NDArrays.concat(new NDList(t, t), 0);
            NDArray yy = NDArrays.concat(new NDList(y, y.zerosLike().add(nullClass)), 0);
            return model.forwardWithCfg(xx, tt, yy, s.cfgScale(), s.cfgAllChannels()).get("0:" + n);
        };
    }

    private static NDArray diffusionLoop(DiT model, SamplerSettings s, NDArray x0, NDArray y, NoiseStreams noise) {
        if (!model.config().learnSigma()) {
            throw new IllegalArgumentException("DDPM/DDIM sampling needs a DiT with learned sigma");
        }
        String respacing = s.method().equals("ddim") ? "ddim" + s.steps() : Integer.toString(s.steps());
        GaussianDiffusion gd = GaussianDiffusion.create(respacing);
        DenoiserFn fn = guided(model, s);
        NDArray x = x0;
        long n = x0.getShape().get(0);
        for (int i = gd.numTimesteps() - 1; i >= 0; i--) {
            long[] ts = new long[(int) n];
            Arrays.fill(ts, i);
            NDArray prev = x;
            boolean stochastic = s.method().equals("ddpm") || s.eta() > 0;
            x = Scopes.run(x, cur -> {
                NDArray z = stochastic ? noise.next(cur.getManager()) : null;
                return s.method().equals("ddpm")
                        ? gd.pSample(fn, cur, ts, y, false, z).sample()
                        : gd.ddimSample(fn, cur, ts, y, false, s.eta(), z).sample();
            });
            if (prev != x0) {
                prev.close();
            }
        }
        return x;
    }

    /** One Gaussian stream per sample; each call draws the next (C, H, W) block of every stream. */
    private static final class NoiseStreams {
        private final SplittableRandom[] streams;
        private final Shape item;

        NoiseStreams(long[] seeds, Shape item) {
            streams = new SplittableRandom[seeds.length];
            for (int i = 0; i < seeds.length; i++) {
                streams[i] = new SplittableRandom(seeds[i]);
            }
            this.item = item;
        }

        NDArray next(NDManager m) {
            int per = Math.toIntExact(item.size());
            float[] v = new float[per * streams.length];
            for (int i = 0; i < streams.length; i++) {
                for (int k = 0; k < per; k++) {
                    v[i * per + k] = (float) streams[i].nextGaussian();
                }
            }
            return HostArrays.floats(m, v, new Shape(streams.length).addAll(item));
        }
    }
}
