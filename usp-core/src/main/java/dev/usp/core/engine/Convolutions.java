package dev.usp.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's {@code F.conv2d} (square stride and padding, no dilation, one group) with the kernels
 * {@link Numerics} selects. Every convolution of this project goes through here.
 *
 * <p>With {@link Numerics.ConvKernels#ONEDNN_PADDED} (the default), a convolution whose input
 * gradient will be computed and whose channel counts are not multiples of {@value #BLOCK} is run
 * on zero-padded channels: the input gets zero channels up to the next multiple, the kernel zero
 * rows and columns, and the output is sliced back. The result and both gradients are the same
 * (the padded channels contribute exact zeros), but oneDNN then never pads channels to its
 * 16-lane blocks itself, the case whose input gradient (backward-data) is wrong on some AVX-512
 * CPUs. That costs what oneDNN's own padding costs: the work of the padded channel count.
 * Convolutions without an input gradient (the first layer, anything under no-grad) run as they
 * are: oneDNN's forward and weight gradient are right on those CPUs.
 */
public final class Convolutions {

    /** oneDNN's channel block on AVX-512 (8 on AVX2, which divides it). */
    public static final int BLOCK = 16;

    private Convolutions() {
    }

    /**
     * (N, in, H, W) * (out, in, k, k) + bias (out) -> (N, out, H', W').
     *
     * @param bias the bias, or null
     */
    public static NDArray conv2d(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        Numerics.ConvKernels kernels = Numerics.selectKernels();
        long in = weight.getShape().get(1);
        long out = weight.getShape().get(0);
        boolean padChannels = kernels == Numerics.ConvKernels.ONEDNN_PADDED && !x.getDevice().isGpu()
                && x.getDataType() != DataType.FLOAT64 && JniUtils.isGradMode()
                && (in % BLOCK != 0 || out % BLOCK != 0);
        if (!padChannels) {
            return plain(x, weight, bias, stride, padding);
        }
        NDManager owner = x.getManager();
        long inPad = roundUp(in) - in;
        long outPad = roundUp(out) - out;
        NDArray xp = padded(x, 1, inPad, owner);
        NDArray wp = padded(padded(weight, 1, inPad, owner), 0, outPad, owner);
        NDArray bp = bias == null ? null : padded(bias, 0, outPad, owner);
        NDArray y = plain(xp, wp, bp, stride, padding);
        return outPad == 0 ? y : y.get(new NDIndex(":, 0:{}", out));
    }

    private static NDArray plain(NDArray x, NDArray weight, NDArray bias, int stride, int padding) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight, bias, new Shape(stride, stride),
                new Shape(padding, padding), new Shape(1, 1), 1).head();
    }

    /**
     * {@code a} with {@code count} zero slices appended on {@code axis}, owned by {@code owner} (the
     * activation's manager, so that padded parameters are freed with the step), or {@code a} itself
     * when {@code count} is 0.
     */
    private static NDArray padded(NDArray a, int axis, long count, NDManager owner) {
        if (count == 0) {
            return a;
        }
        long[] dims = a.getShape().getShape().clone();   // getShape() hands out the array itself
        dims[axis] = count;
        NDArray zeros = owner.zeros(new Shape(dims), a.getDataType(), a.getDevice());
        NDArray out = a.concat(zeros, axis);
        out.attach(owner);
        return out;
    }

    private static long roundUp(long channels) {
        return (channels + BLOCK - 1) / BLOCK * BLOCK;
    }
}
