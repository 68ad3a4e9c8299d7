package dev.usp.vae.cache;

import ai.djl.ndarray.types.Shape;
import dev.usp.core.data.Dataset;
import dev.usp.core.data.Image;
import dev.usp.core.data.Sample;
import dev.usp.core.data.Transform;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * A core {@link Dataset} seen as the cache's {@link LabelledImages}: each image through a
 * deterministic {@link Transform} (e.g. {@code Pad.all(2)} for Fashion-MNIST, the ADM centre crop
 * for an image folder), then to [-1, 1]. Images of a read are decoded in parallel.
 */
public final class DatasetImages implements LabelledImages {

    private final Dataset dataset;
    private final Transform transform;
    private final int size;
    private final Shape chw;

    /**
     * Adapts the first {@code limit} samples of {@code dataset} (all of them when {@code limit <= 0}).
     * The image shape is taken from the first sample after the transform.
     *
     * @throws IllegalArgumentException when the dataset is empty or its first sample is unreadable
     */
    public DatasetImages(Dataset dataset, Transform transform, int limit) {
        this.dataset = dataset;
        this.transform = transform;
        this.size = limit > 0 ? Math.min(limit, dataset.size()) : dataset.size();
        if (size == 0) {
            throw new IllegalArgumentException("the dataset holds no images");
        }
        Image first = image(0).image();
        this.chw = new Shape(first.channels(), first.height(), first.width());
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Shape imageShape() {
        return chw;
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException naming the index when a sample is unreadable or has another shape
     */
    @Override
    public Batch read(int start, int count) {
        int per = Math.toIntExact(chw.size());
        float[] images = new float[count * per];
        int[] labels = new int[count];
        IntStream.range(0, count).parallel().forEach(i -> {
            Sample s = image(start + i);
            Image img = s.image();
            if (img.channels() != chw.get(0) || img.height() != chw.get(1) || img.width() != chw.get(2)) {
                throw new IllegalStateException("image " + (start + i) + " is " + img.channels() + "x" + img.height()
                        + "x" + img.width() + " after the transform, but image 0 is " + chw
                        + ": add a crop or resize so that all images have one size");
            }
            img.toTensor(images, i * per);
            labels[i] = s.label();
        });
        return new Batch(images, labels);
    }

    /** Sample {@code index} after the transform (which gets a fixed stream: it must not be random). */
    private Sample image(int index) {
        Sample s = dataset.get(index);
        if (s == null) {
            throw new IllegalStateException("image " + index + " is unreadable; a latent cache needs every image"
                    + " (remove the file or fix it)");
        }
        return new Sample(transform.apply(s.image(), new SplittableRandom(index)), s.label());
    }
}
