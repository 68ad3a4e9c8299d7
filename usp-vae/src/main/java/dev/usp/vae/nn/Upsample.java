package dev.usp.vae.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.nn.Conv2d;
import dev.usp.core.nn.Module;

/** LDM's {@code Upsample}: nearest-neighbour x2, then a 3x3 {@code conv}. */
public final class Upsample extends Module implements Layer {

    private final Conv2d conv;

    /** Creates an upsampler over {@code channels} channels. */
    public Upsample(NDManager manager, long channels) {
        super(manager);
        conv = addModule("conv", new Conv2d(manager, channels, channels, 3, 1, 1, true));
    }

    /** (N, C, H, W) -> (N, C, 2H, 2W). */
    @Override
    public NDArray forward(NDArray x) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDArray up = x.getNDArrayInternal().interpolation(new long[] {2 * h, 2 * w}, 0, false);
        return conv.forward(up);
    }
}
