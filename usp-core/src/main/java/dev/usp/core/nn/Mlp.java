package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** timm's {@code Mlp}: {@code fc1} (in -> hidden), GELU, {@code fc2} (hidden -> in). */
public final class Mlp extends Module {

    private final Linear fc1;
    private final Linear fc2;
    private final boolean tanhGelu;

    /**
     * Creates the MLP.
     *
     * @param tanhGelu true for DiT's tanh-approximate GELU, false for the exact (erf) GELU of ViT/MAE
     */
    public Mlp(NDManager manager, long dim, long hidden, boolean tanhGelu) {
        super(manager);
        fc1 = addModule("fc1", new Linear(manager, dim, hidden));
        fc2 = addModule("fc2", new Linear(manager, hidden, dim));
        this.tanhGelu = tanhGelu;
    }

    /** (..., dim) -> (..., dim). */
    public NDArray forward(NDArray x) {
        NDArray h = fc1.forward(x);
        h = tanhGelu ? Activations.geluTanh(h) : Activations.gelu(h);
        return fc2.forward(h);
    }
}
