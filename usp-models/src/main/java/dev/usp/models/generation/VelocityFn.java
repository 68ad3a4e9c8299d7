package dev.usp.models.generation;

import ai.djl.ndarray.NDArray;

/**
 * The network as the transport sees it: SiT's {@code model(x, t, y)} predicting the velocity.
 *
 * <p>{@code x} is (N, C, ...), {@code t} the continuous times (N) in x's data type, {@code y} the
 * conditioning (or null). The output has x's shape and must belong to x's manager (or a child).
 */
@FunctionalInterface
public interface VelocityFn {

    /** Applies the network. */
    NDArray apply(NDArray x, NDArray t, NDArray y);
}
