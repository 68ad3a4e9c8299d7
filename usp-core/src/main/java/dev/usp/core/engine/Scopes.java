package dev.usp.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Runs a piece of computation in a scratch manager, so that its temporaries are freed when it
 * ends rather than when the caller's manager closes: one step of an iterative sampler, or one
 * block of a network's forward pass (under autograd too: closing a temporary only drops this
 * side's handle, while the graph keeps what the backward needs).
 *
 * <p>The carried arrays are moved into the scratch manager for the step and come back to their
 * manager afterwards; the arrays the step returns are attached to that same manager and are the
 * only new arrays that survive. Closing carried arrays that are no longer needed is the caller's
 * job, or {@link #chain}'s for a sequence of layers.
 */
public final class Scopes {

    private Scopes() {
    }

    /** One step on a single carried array. */
    public static NDArray run(NDArray carried, Function<NDArray, NDArray> step) {
        return run(new NDList(carried), list -> new NDList(step.apply(list.head()))).head();
    }

    /**
     * Applies {@code layers} in order, closing each intermediate result as soon as the next one
     * exists, so that a chain of blocks holds one activation at a time instead of all of them until
     * the caller's manager closes (as PyTorch frees an activation nobody refers to). The input is
     * never closed, nor a result that a layer passed through unchanged. Under autograd too: closing
     * drops only this side's handle, and the graph keeps what the backward needs.
     */
    public static NDArray chain(NDArray x, List<UnaryOperator<NDArray>> layers) {
        NDArray h = x;
        for (UnaryOperator<NDArray> layer : layers) {
            NDArray next = layer.apply(h);
            if (h != x && next != h) {
                h.close();
            }
            h = next;
        }
        return h;
    }

    /** One step on several carried arrays, all of which must share one manager. */
    public static NDList run(NDList carried, Function<NDList, NDList> step) {
        NDManager parent = carried.head().getManager();
        try (NDManager scratch = parent.newSubManager()) {
            for (NDArray a : carried) {
                if (a.getManager() != parent) {
                    throw new IllegalArgumentException("carried arrays must share one manager");
                }
                a.tempAttach(scratch);
            }
            NDList out = step.apply(carried);
            for (NDArray a : out) {
                a.attach(parent);
            }
            return out;
        }
    }
}
