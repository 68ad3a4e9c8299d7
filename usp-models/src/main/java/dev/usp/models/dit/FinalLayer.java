package dev.usp.models.dit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.usp.core.nn.LayerNorm;
import dev.usp.core.nn.Linear;
import dev.usp.core.nn.Module;

/** DiT's {@code final_layer}: non-affine {@code norm_final}, adaLN shift/scale, {@code linear} D -> p*p*out. */
public final class FinalLayer extends Module {

    private final LayerNorm normFinal;
    private final Linear linear;
    private final AdaLnModulation adaLn;

    /** Creates the layer. */
    public FinalLayer(NDManager manager, long dim, int patch, int outChannels) {
        super(manager);
        normFinal = addModule("norm_final", new LayerNorm(manager, dim, 1e-6, false));
        linear = addModule("linear", new Linear(manager, dim, (long) patch * patch * outChannels));
        adaLn = addModule("adaLN_modulation", new AdaLnModulation(manager, dim, 2));
    }

    /** x (N, T, D), c (N, D) -> (N, T, p*p*out). */
    public NDArray forward(NDArray x, NDArray c) {
        NDList m = adaLn.forward(c);  // shift, scale: (N, 1, D)
        return linear.forward(AdaLnModulation.modulate(normFinal.forward(x), m.get(0), m.get(1)));
    }

    /** Zeroes the modulation and the output Linear (DiT's init). */
    public void initZeros() {
        adaLn.linear().initZeros();
        linear.initZeros();
    }
}
