package dev.usp.models.generation;

import ai.djl.ndarray.NDArray;

/**
 * The network as the diffusion process sees it: DiT's {@code model(x, t, y)}.
 *
 * <p>{@code x} is (N, C, ...), {@code t} holds the ORIGINAL (un-respaced) integer timesteps as
 * int64 (N), {@code y} the conditioning (class labels, or null). With a learned variance the
 * output has 2C channels: epsilon first, then the variance interpolation value in [-1, 1].
 */
@FunctionalInterface
public interface DenoiserFn {

    /** Applies the network; the result must belong to {@code x}'s manager (or a child of it). */
    NDArray apply(NDArray x, NDArray t, NDArray y);
}
