package dev.usp.vae.cache;

import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * Labelled images by index, as the latent cache reads them: NCHW floats in [-1, 1]. A minimal
 * interface that dataset classes can adapt to. (Not usp-eval's {@code ImageSource}, which streams
 * unlabelled 8-bit images to a metric in order.)
 */
public interface LabelledImages {

    /** A run of images: {@code images} holds count * C * H * W floats in NCHW order. */
    record Batch(float[] images, int[] labels) {
    }

    /** Number of images. */
    int size();

    /** The shape of one image, (C, H, W). */
    Shape imageShape();

    /** Images {@code start .. start + count - 1} with their labels. */
    Batch read(int start, int count);

    /** An in-memory source over {@code labels.length} images of shape (C, H, W) stored in {@code images}. */
    static LabelledImages of(float[] images, int[] labels, Shape chw) {
        int per = Math.toIntExact(chw.size());
        if (chw.dimension() != 3 || images.length != (long) per * labels.length) {
            throw new IllegalArgumentException("images hold " + images.length + " floats, not " + labels.length
                    + " images of shape " + chw);
        }
        return new LabelledImages() {
            @Override
            public int size() {
                return labels.length;
            }

            @Override
            public Shape imageShape() {
                return chw;
            }

            @Override
            public Batch read(int start, int count) {
                return new Batch(Arrays.copyOfRange(images, start * per, (start + count) * per),
                        Arrays.copyOfRange(labels, start, start + count));
            }
        };
    }
}
