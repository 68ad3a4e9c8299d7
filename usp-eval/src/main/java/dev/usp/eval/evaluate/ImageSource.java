package dev.usp.eval.evaluate;

import java.io.IOException;

/** A set of equally sized 8-bit images read in batches: an {@code .npz} array or a folder of image files. */
public interface ImageSource {

    /** Receives one batch. */
    @FunctionalInterface
    interface BatchConsumer {
        /** Handles images in source order. */
        void accept(Images batch) throws IOException;
    }

    /** Where the images come from, for messages and reports. */
    String describe();

    /** Number of images N. */
    int count();

    /** Image height H. */
    int height();

    /** Image width W. */
    int width();

    /** Channels C: 1 (grey) or 3 (RGB). */
    int channels();

    /** Passes all images, in order, in batches of at most {@code batchSize}. */
    void forEach(int batchSize, BatchConsumer consumer) throws IOException;
}
