package dev.usp.models.dit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.usp.core.nn.Activations;
import dev.usp.core.nn.Linear;
import dev.usp.core.nn.Module;

/**
 * DiT's {@code adaLN_modulation = Sequential(SiLU, Linear(D, k*D))}: the Linear sits at index
 * {@code 1}, as in the official state dict.
 */
public final class AdaLnModulation extends Module {

    private final Linear linear;
    private final int chunks;

    /** Creates the modulation producing {@code chunks} vectors of width {@code dim}. */
    public AdaLnModulation(NDManager manager, long dim, int chunks) {
        super(manager);
        this.chunks = chunks;
        linear = addModule("1", new Linear(manager, dim, chunks * dim));
    }

    /** (N, D) conditioning -> {@code chunks} arrays (N, 1, D), ready to broadcast over tokens. */
    public NDList forward(NDArray c) {
        NDList parts = linear.forward(Activations.silu(c)).split(chunks, 1);   // k x (N, D)
        NDList out = new NDList(chunks);
        for (NDArray p : parts) {
            out.add(p.expandDims(1));
        }
        return out;
    }

    /** {@code modulate(x, shift, scale) = x * (1 + scale) + shift}, with shift and scale (N, 1, D). */
    public static NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
        return x.mul(scale.add(1)).add(shift);
    }

    /** The Linear at index 1 (zero-initialised in DiT: adaLN-Zero). */
    public Linear linear() {
        return linear;
    }
}
