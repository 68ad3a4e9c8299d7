package dev.usp.train.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.function.Function;

/**
 * Runs one step of an iterative sampler in a scratch manager, so that the temporaries of each
 * step (network activations included) are freed when the step ends.
 *
 * <p>The carried arrays are moved into the scratch manager for the step and come back to their
 * manager afterwards; the arrays the step returns are attached to that same manager and are the
 * only new arrays that survive. Closing carried arrays that are no longer needed is the caller's
 * job.
 */
public final class StepScope {

    private StepScope() {
    }

    /** One step on a single carried array. */
    public static NDArray run(NDArray carried, Function<NDArray, NDArray> step) {
        return run(new NDList(carried), list -> new NDList(step.apply(list.head()))).head();
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
