package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/** timm's {@code PatchEmbed}: a conv {@code proj} with kernel = stride = patch, then flatten to tokens. */
public final class PatchEmbed extends Module {

    private final Conv2d proj;
    private final int inputSize;
    private final int patch;
    private final long inChannels;

    /** Creates the embedding of a (C, size, size) input into (size/patch)^2 tokens of width {@code dim}. */
    public PatchEmbed(NDManager manager, int inputSize, int patch, long inChannels, long dim) {
        super(manager);
        if (inputSize % patch != 0) {
            throw new IllegalArgumentException(
                    "input size " + inputSize + " is not divisible by patch size " + patch);
        }
        this.inputSize = inputSize;
        this.patch = patch;
        this.inChannels = inChannels;
        proj = addModule("proj", new Conv2d(manager, inChannels, dim, patch, patch, 0, true));
    }

    /** (B, C, H, W) -> (B, L, D), L = (H/p)(W/p), tokens in row-major order. */
    public NDArray forward(NDArray x) {
        long[] s = x.getShape().getShape();
        if (s.length != 4 || s[1] != inChannels || s[2] != inputSize || s[3] != inputSize) {
            throw new IllegalArgumentException("patch embed expects (B, " + inChannels + ", " + inputSize
                    + ", " + inputSize + "), got " + x.getShape());
        }
        NDArray y = proj.forward(x);                       // (B, D, H/p, W/p)
        return y.reshape(s[0], y.getShape().get(1), -1).transpose(0, 2, 1); // (B, L, D)
    }

    /** Number of tokens per side. */
    public int gridSize() {
        return inputSize / patch;
    }

    /** Number of tokens. */
    public int numPatches() {
        return gridSize() * gridSize();
    }

    /** The patch size. */
    public int patchSize() {
        return patch;
    }

    /** The projection convolution. */
    public Conv2d proj() {
        return proj;
    }

    /**
     * MAE/DiT init: xavier-uniform on the kernel viewed as (D, C*p*p). DiT also zeroes the bias;
     * MAE keeps PyTorch's default bias init.
     */
    public void initXavierFlat(boolean zeroBias) {
        Init.xavierUniformFlat(proj.weight());
        if (zeroBias) {
            Init.zeros(proj.bias());
        }
    }
}
