package dev.usp.train.data;

import dev.usp.core.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.data.Dataset;
import dev.usp.core.data.Image;
import dev.usp.core.data.Sample;
import dev.usp.core.data.Transform;
import dev.usp.core.engine.Seeds;
import dev.usp.train.parallel.Autograd;
import dev.usp.vae.AutoencoderKL;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Pretraining batches encoded on the fly from images (the official input when
 * {@code --use_cached} is off): each image of the batch goes through a random {@link Transform}
 * (the official one: random-resized crop and horizontal flip) and the frozen VAE, in eval mode
 * and without autograd, gives the posterior mean times the scale factor. A pure function of
 * (seed, step) like {@link LatentBatches}: the order comes from {@link EpochOrder}, and image
 * {@code j} of a batch draws its transform from the {@code j}-th split of the step's data stream.
 */
public final class ImageLatentBatches implements LatentSource {

    private final AutoencoderKL vae;
    private final Dataset dataset;
    private final Transform transform;
    private final EpochOrder order;
    private final long seed;
    private final Shape chw;

    /**
     * Creates the source over the first {@code limit} images of {@code dataset} ({@code limit <= 0}:
     * all) and puts the VAE in eval mode. The image shape is that of image 0 after the transform.
     *
     * @throws IllegalArgumentException when the batch size does not fit the dataset, or the images
     *     do not fit the VAE (channels, side not a multiple of its downsampling)
     */
    public ImageLatentBatches(AutoencoderKL vae, Dataset dataset, Transform transform, int limit, int batchSize,
                              long seed) {
        int size = limit > 0 ? Math.min(limit, dataset.size()) : dataset.size();
        this.vae = vae;
        this.dataset = dataset;
        this.transform = transform;
        this.order = new EpochOrder(size, batchSize, seed);
        this.seed = seed;
        Image first = transform.apply(sample(0).image(), new SplittableRandom(seed));
        this.chw = new Shape(first.channels(), first.height(), first.width());
        vae.checkImages(new Shape(1, chw.get(0), chw.get(1), chw.get(2)));
        vae.eval();
    }

    /** The shape of one latent, (z, H/f, W/f). */
    public Shape latentShape() {
        long f = vae.config().downsampling();
        return new Shape(vae.config().zChannels(), chw.get(1) / f, chw.get(2) / f);
    }

    @Override
    public int batchesPerEpoch() {
        return order.batchesPerEpoch();
    }

    @Override
    public int batchSize() {
        return order.batchSize();
    }

    /** The batch of global step {@code step}: scaled posterior means (N, z, h, w) and labels, in {@code m}. */
    @Override
    public LatentBatches.Batch batch(long step, NDManager m) {
        int[] indices = order.indices(step);
        int n = indices.length;
        SplittableRandom stream = new SplittableRandom(Seeds.forStep(seed, step, Seeds.DATA));
        SplittableRandom[] rngs = new SplittableRandom[n];
        for (int j = 0; j < n; j++) {
            rngs[j] = stream.split();
        }
        int per = Math.toIntExact(chw.size());
        float[] pixels = new float[n * per];
        long[] labels = new long[n];
        IntStream.range(0, n).parallel().forEach(j -> {
            Sample s = sample(indices[j]);
            Image img = transform.apply(s.image(), rngs[j]);
            checkShape(img, indices[j]);
            img.toTensor(pixels, j * per);
            labels[j] = s.label();
        });
        NDArray latents;
        try (NDManager scope = vae.manager().newSubManager()) {
            NDArray x = HostArrays.floats(scope, pixels, new Shape(n, chw.get(0), chw.get(1), chw.get(2)));
            NDArray z = Autograd.paused(() -> vae.encodeMeanLatents(x));         // (N, z, h, w), no graph
            latents = z.toDevice(m.getDevice(), true);
            latents.attach(m);
        }
        return new LatentBatches.Batch(latents, HostArrays.longs(m, labels), n);
    }

    private Sample sample(int index) {
        Sample s = dataset.get(index);
        if (s == null) {
            throw new IllegalStateException("image " + index + " of the pretraining dataset is unreadable");
        }
        return s;
    }

    private void checkShape(Image img, int index) {
        if (img.channels() != chw.get(0) || img.height() != chw.get(1) || img.width() != chw.get(2)) {
            throw new IllegalStateException("image " + index + " is " + img.channels() + "x" + img.height() + "x"
                    + img.width() + " after the transform, but image 0 is " + chw
                    + ": add a crop or resize so that all images have one size");
        }
    }
}
