package dev.usp.vae.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.nn.Conv2d;
import dev.usp.core.nn.Module;

/** LDM's {@code Downsample}: zero pad right and bottom by one, then a 3x3 stride-2 {@code conv} without padding. */
public final class Downsample extends Module implements Layer {

    private final Conv2d conv;

    /** Creates a downsampler over {@code channels} channels. */
    public Downsample(NDManager manager, long channels) {
        super(manager);
        conv = addModule("conv", new Conv2d(manager, channels, channels, 3, 2, 0, true));
    }

    /** (N, C, H, W) -> (N, C, H/2, W/2) for even H, W. */
    @Override
    public NDArray forward(NDArray x) {
        return conv.forward(x.pad(new Shape(0, 1, 0, 1), 0));
    }
}
