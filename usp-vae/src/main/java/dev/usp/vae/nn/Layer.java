package dev.usp.vae.nn;

import ai.djl.ndarray.NDArray;

/** A module with one input and one output tensor, so that levels can chain blocks of any kind. */
public interface Layer {

    /** Applies the layer; the result belongs to the manager of {@code x}. */
    NDArray forward(NDArray x);
}
