package dev.usp.app.bench;

import dev.usp.core.engine.HostArrays;
import dev.usp.core.engine.InferenceMode;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTConfig;
import dev.usp.models.generation.GaussianDiffusion;
import dev.usp.core.engine.Scopes;

import java.util.Arrays;

/**
 * Ancestral DDPM sampling: one unit is one {@code p_sample} step (network forward, learned-range
 * variance, posterior mean, noise) on a batch, carried from step to step and in libtorch's inference
 * mode, as the library's sampler ({@code LatentSampler}) runs it.
 */
final class DdpmSampling implements Workload {

    private final DiT model;
    private final GaussianDiffusion diffusion = GaussianDiffusion.create("");
    private final long[] labels;
    private final double flops;
    private NDArray x;
    private int t;

    DdpmSampling(NDManager root, DiTConfig config, int batch) {
        this.model = new DiT(root.newSubManager(), config);
        model.eval();
        this.labels = new long[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % config.numClasses();
        }
        this.x = model.manager().randomNormal(0f, 1f,
                new Shape(batch, config.inChannels(), config.inputSize(), config.inputSize()), DataType.FLOAT32);
        this.t = diffusion.numTimesteps() - 1;
        this.flops = Flops.ditForward(config, batch);
    }

    @Override
    public void step() {
        long[] ts = new long[labels.length];
        Arrays.fill(ts, t);
        NDArray prev = x;
        try (InferenceMode ignored = InferenceMode.enter()) {
            x = Scopes.run(x, cur -> diffusion.pSample(model::forward, cur, HostArrays.longs(cur.getManager(), ts),
                    HostArrays.longs(cur.getManager(), labels), false, null).sample());
        }
        prev.close();
        t = t == 0 ? diffusion.numTimesteps() - 1 : t - 1;
    }

    @Override
    public String unit() {
        return "steps/s";
    }

    @Override
    public double flopsPerStep() {
        return flops;
    }

    @Override
    public void close() {
        model.close();
    }
}
