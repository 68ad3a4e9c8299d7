package dev.usp.core.data;

import dev.usp.core.engine.HostArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A batch in Java memory: images {@code (N, C, H, W)} as float in [-1, 1], labels and the dataset
 * indices the rows came from.
 */
public record HostBatch(float[] images, long[] labels, int[] indices, int channels, int height, int width) {

    /** Number of rows. */
    public int size() {
        return labels.length;
    }

    /** The image shape {@code (N, C, H, W)}. */
    public Shape shape() {
        return new Shape(size(), channels, height, width);
    }

    /** Copies the batch into {@code manager}: float32 images {@code (N, C, H, W)} and int64 labels {@code (N)}. */
    public Batch toNDArrays(NDManager manager) {
        return new Batch(HostArrays.floats(manager, images, shape()), HostArrays.longs(manager, labels), indices);
    }
}
