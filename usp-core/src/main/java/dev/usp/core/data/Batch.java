package dev.usp.core.data;

import ai.djl.ndarray.NDArray;

/**
 * A batch on the engine: {@code images} float32 {@code (N, C, H, W)} in [-1, 1], {@code labels}
 * int64 {@code (N)}, and the dataset indices of the rows. Closing it frees both arrays.
 */
public record Batch(NDArray images, NDArray labels, int[] indices) implements AutoCloseable {

    @Override
    public void close() {
        images.close();
        labels.close();
    }
}
