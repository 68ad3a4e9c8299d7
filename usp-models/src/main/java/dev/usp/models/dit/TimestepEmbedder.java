package dev.usp.models.dit;

import dev.usp.core.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.usp.core.nn.Activations;
import dev.usp.core.nn.Init;
import dev.usp.core.nn.Linear;
import dev.usp.core.nn.Module;

/**
 * DiT's {@code t_embedder}: a 256-wide sinusoidal embedding of the (possibly fractional) timestep,
 * then {@code mlp = Sequential(Linear(256, D), SiLU, Linear(D, D))} at keys {@code mlp.0}, {@code mlp.2}.
 */
public final class TimestepEmbedder extends Module {

    /** DiT's frequency embedding size. */
    public static final int FREQUENCY_SIZE = 256;

    private final Mlp mlp;
    private final NDArray freqs;

    /** Creates the embedder for width {@code dim}. */
    public TimestepEmbedder(NDManager manager, long dim) {
        super(manager);
        mlp = addModule("mlp", new Mlp(manager, dim));
        freqs = frequencies(manager, FREQUENCY_SIZE);
    }

    /** (N) timesteps -> (N, D). */
    public NDArray forward(NDArray t) {
        return mlp.forward(timestepEmbedding(t, freqs));
    }

    /**
     * The frequencies of {@code timestep_embedding}, computed with float32 ops as the official
     * code: exp(-ln(10000) * arange(half) / half), half = dim / 2.
     */
    public static NDArray frequencies(NDManager manager, int dim) {
        int half = dim / 2;
        return Scalars.div(Scalars.mul(manager.arange(0f, half, 1f), -Math.log(10000.0)), half).exp();
    }

    /** (N) timesteps -> (N, 2 * half): cat[cos(t * freqs), sin(t * freqs)], t cast to float32. */
    public static NDArray timestepEmbedding(NDArray t, NDArray freqs) {
        NDArray args = t.toType(DataType.FLOAT32, false).expandDims(1).mul(freqs); // (N, 1) * (half) -> (N, half)
        return NDArrays.concat(new NDList(args.cos(), args.sin()), -1);
    }

    /** DiT init for the two Linears: weights N(0, 0.02), biases 0. */
    public void initNormal() {
        mlp.first.initXavier();
        mlp.second.initXavier();
        Init.normal(mlp.first.weight(), 0.02);
        Init.normal(mlp.second.weight(), 0.02);
    }

    /** {@code Sequential(Linear, SiLU, Linear)} with PyTorch's indices 0 and 2. */
    private static final class Mlp extends Module {
        private final Linear first;
        private final Linear second;

        Mlp(NDManager manager, long dim) {
            super(manager);
            first = addModule("0", new Linear(manager, FREQUENCY_SIZE, dim));
            second = addModule("2", new Linear(manager, dim, dim));
        }

        NDArray forward(NDArray x) {
            return second.forward(Activations.silu(first.forward(x)));
        }
    }
}
