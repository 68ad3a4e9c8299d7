package dev.usp.eval.evaluate;

import dev.usp.core.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.data.FashionMnist;
import dev.usp.eval.fdnet.Embeddings;
import dev.usp.eval.fdnet.FdFmnist;
import dev.usp.eval.fdnet.FmnistFeatureNet;

import java.io.IOException;

/**
 * The project's Fashion-MNIST feature net ({@link FdFmnist}) as a {@link FeatureNet}: grey images
 * of 32x32, or 28x28 padded by 2 px of 0 as the net was trained, mapped to [-1, 1] as x / 127.5 - 1.
 * Its metrics are FD-FMNIST and IS-FMNIST (10 splits), never FID/IS.
 */
public final class FmnistFeatures implements FeatureNet {

    private final FdFmnist fd;

    /** Wraps a loaded net (closed with this object). */
    public FmnistFeatures(FdFmnist fd) {
        this.fd = fd;
    }

    /** The wrapped net. */
    public FdFmnist fd() {
        return fd;
    }

    @Override
    public MetricNames names() {
        return MetricNames.FMNIST;
    }

    /** ceil(N / 10): IS-FMNIST's ten splits. */
    @Override
    public int isSplitSize(int images) {
        return (images + FdFmnist.IS_SPLITS - 1) / FdFmnist.IS_SPLITS;
    }

    @Override
    public Features embed(ImageSource images) throws IOException {
        int side = images.height();
        if (images.channels() != 1 || side != images.width()
                || (side != FmnistFeatureNet.SIDE && side != FashionMnist.SIDE)) {
            throw new IOException(images.describe() + ": FD-FMNIST needs grey images of " + FmnistFeatureNet.SIDE + "x"
                    + FmnistFeatureNet.SIDE + " or " + FashionMnist.SIDE + "x" + FashionMnist.SIDE + ", got "
                    + images.height() + "x" + images.width() + "x" + images.channels());
        }
        FdFmnist.Accumulator acc = fd.accumulator();
        images.forEach(FdFmnist.DEFAULT_BATCH, batch -> {
            try (NDManager scope = fd.net().manager().newSubManager()) {
                acc.add(toNet(batch, scope));
            }
        });
        Embeddings e = acc.result();
        return new Features(e.features(), e.probabilities());
    }

    /** Grey images (n, 1, 32, 32) in [-1, 1], the smaller ones padded with -1 (pixel value 0). */
    public static NDArray toNet(Images batch, NDManager m) {
        int s = FmnistFeatureNet.SIDE;
        int pad = (s - batch.height()) / 2;
        float[] out = new float[batch.count() * s * s];
        java.util.Arrays.fill(out, -1f);
        for (int n = 0; n < batch.count(); n++) {
            for (int y = 0; y < batch.height(); y++) {
                for (int x = 0; x < batch.width(); x++) {
                    int v = batch.nhwc()[(n * batch.height() + y) * batch.width() + x] & 0xff;
                    out[(n * s + y + pad) * s + x + pad] = v / 127.5f - 1f;
                }
            }
        }
        return HostArrays.floats(m, out, new Shape(batch.count(), 1, s, s));
    }

    @Override
    public void close() {
        fd.close();
    }
}
