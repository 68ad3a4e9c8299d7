package dev.usp.train.vae;

import dev.usp.core.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.data.Dataset;
import dev.usp.core.data.Image;
import dev.usp.core.data.Sample;
import dev.usp.core.data.Transform;

import java.util.SplittableRandom;

/**
 * A small image dataset held in memory after a deterministic transform (Fashion-MNIST padded to
 * 32x32: 60,000 x 1 KB), served as float batches in [-1, 1] by index.
 */
public final class ImageTable {

    private final Image[] images;
    private final Shape chw;

    private ImageTable(Image[] images) {
        this.images = images;
        Image first = images[0];
        this.chw = new Shape(first.channels(), first.height(), first.width());
    }

    /**
     * Decodes and transforms the first {@code limit} samples ({@code limit <= 0}: all).
     *
     * @throws IllegalArgumentException when a sample is unreadable, the images differ in shape, or there are none
     */
    public static ImageTable of(Dataset dataset, Transform transform, int limit) {
        int n = limit > 0 ? Math.min(limit, dataset.size()) : dataset.size();
        if (n == 0) {
            throw new IllegalArgumentException("the dataset holds no images");
        }
        Image[] out = new Image[n];
        for (int i = 0; i < n; i++) {
            Sample s = dataset.get(i);
            if (s == null) {
                throw new IllegalArgumentException("image " + i + " is unreadable");
            }
            out[i] = transform.apply(s.image(), new SplittableRandom(i));
            if (out[i].width() != out[0].width() || out[i].height() != out[0].height()
                    || out[i].channels() != out[0].channels()) {
                throw new IllegalArgumentException("image " + i + " is " + out[i].width() + "x" + out[i].height()
                        + " after the transform, image 0 is " + out[0].width() + "x" + out[0].height());
            }
        }
        return new ImageTable(out);
    }

    /** Number of images. */
    public int size() {
        return images.length;
    }

    /** (C, H, W) of every image. */
    public Shape imageShape() {
        return chw;
    }

    /** Images {@code indices} as float32 (N, C, H, W) in [-1, 1], created in {@code manager}. */
    public NDArray batch(int[] indices, NDManager manager) {
        int per = Math.toIntExact(chw.size());
        float[] data = new float[indices.length * per];
        for (int j = 0; j < indices.length; j++) {
            images[indices[j]].toTensor(data, j * per);
        }
        return HostArrays.floats(manager, data, new Shape(indices.length, chw.get(0), chw.get(1), chw.get(2)));
    }

    /** Images {@code start .. start + count - 1}, as {@link #batch}. */
    public NDArray range(int start, int count, NDManager manager) {
        int[] idx = new int[count];
        for (int j = 0; j < count; j++) {
            idx[j] = start + j;
        }
        return batch(idx, manager);
    }
}
