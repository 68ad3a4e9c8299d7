package dev.usp.models.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.nn.Linear;
import dev.usp.core.nn.Module;

/**
 * MAE's linear-probe head, {@code nn.Sequential(BatchNorm1d(D, affine=False, eps=1e-6), Linear)}:
 * state-dict keys {@code head.0.running_mean/running_var/num_batches_tracked} and
 * {@code head.1.weight/bias}.
 */
public final class ProbeHead extends Module {

    private final BatchNorm1d bn;
    private final Linear linear;

    /** Creates the head for features of width {@code dim}. */
    public ProbeHead(NDManager manager, long dim, int numClasses) {
        super(manager);
        bn = addModule("0", new BatchNorm1d(manager, dim, 1e-6, 0.1));
        linear = addModule("1", new Linear(manager, dim, numClasses));
    }

    /** (B, D) -> (B, numClasses). */
    public NDArray forward(NDArray x) {
        return linear.forward(bn.forward(x));
    }

    /** The Linear after the norm. */
    public Linear linear() {
        return linear;
    }
}
