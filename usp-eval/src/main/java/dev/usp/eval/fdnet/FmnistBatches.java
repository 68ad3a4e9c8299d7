package dev.usp.eval.fdnet;

import dev.usp.core.engine.HostArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.data.Batch;
import dev.usp.core.data.FashionMnist;
import dev.usp.core.data.Image;
import dev.usp.core.data.Pad;

import java.util.SplittableRandom;

/**
 * Fashion-MNIST images in the feature net's input form: padded 28 -> 32 with the background
 * value 0 ({@code Pad.all(2)}), then {@code ToTensor} and {@code Normalize(0.5, 0.5)}, i.e.
 * {@code x / 127.5 - 1} in [-1, 1], the form the VAE pipeline produces.
 */
public final class FmnistBatches {

    /** The padding that takes 28x28 to 32x32. */
    public static final Pad PAD = Pad.all((FmnistFeatureNet.SIDE - FashionMnist.SIDE) / 2);
    /** How the sidecar and reports describe the input form. */
    public static final String INPUT_FORM = "Fashion-MNIST 28x28 padded by 2 px with 0 to 32x32,"
            + " x/255 then (x - 0.5)/0.5, so [-1, 1] with background -1";

    private static final SplittableRandom UNUSED = new SplittableRandom(0);

    private FmnistBatches() {
    }

    /** Images {@code (k, 1, 32, 32)} and int64 labels {@code (k)} of the given rows, in {@code manager}. */
    public static Batch batch(FashionMnist data, int[] rows, NDManager manager) {
        int plane = FmnistFeatureNet.SIDE * FmnistFeatureNet.SIDE;
        float[] images = new float[rows.length * plane];
        long[] labels = new long[rows.length];
        for (int i = 0; i < rows.length; i++) {
            Image padded = PAD.apply(data.image(rows[i]), UNUSED);
            padded.toTensor(images, i * plane);
            labels[i] = data.label(rows[i]);
        }
        Shape shape = new Shape(rows.length, 1, FmnistFeatureNet.SIDE, FmnistFeatureNet.SIDE);
        return new Batch(HostArrays.floats(manager, images, shape), HostArrays.longs(manager, labels), rows.clone());
    }

    /** Rows {@code from .. to-1} in order. */
    public static int[] range(int from, int to) {
        int[] rows = new int[to - from];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = from + i;
        }
        return rows;
    }
}
