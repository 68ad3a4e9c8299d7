package dev.usp.vae.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.engine.Kernels;
import dev.usp.core.nn.Module;
import dev.usp.core.nn.Parameter;

/**
 * PyTorch's affine {@code nn.GroupNorm}: {@code weight}, {@code bias} (C); NCHW input.
 *
 * <p>With {@link Kernels#fused()} this is libtorch's {@code group_norm}, one kernel each way as in
 * PyTorch. Otherwise (DJL has no group norm) it reshapes to (N, G, C/G, H, W), applies a non-affine
 * layer norm over the last three axes and reshapes back, then scales and shifts per channel.
 */
public final class GroupNorm extends Module implements Layer {

    private final int groups;
    private final long channels;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    /** Creates a norm of {@code channels} channels in {@code groups} groups, weight 1 and bias 0. */
    public GroupNorm(NDManager manager, int groups, long channels, double eps) {
        super(manager);
        if (groups <= 0 || channels % groups != 0) {
            throw new IllegalArgumentException(
                    "GroupNorm: " + channels + " channels cannot be split into " + groups + " groups");
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        weight = addParameter("weight", manager.ones(new Shape(channels)));
        bias = addParameter("bias", manager.zeros(new Shape(channels)));
    }

    /** (N, C, H, W) -> (N, C, H, W). */
    @Override
    public NDArray forward(NDArray x) {
        if (Kernels.fused()) {
            return Kernels.groupNorm(x, groups, weight.array(), bias.array(), eps);
        }
        Shape s = x.getShape();
        long n = s.get(0);
        long h = s.get(2);
        long w = s.get(3);
        Shape inner = new Shape(channels / groups, h, w);
        NDManager m = x.getManager();
        NDArray grouped = x.reshape(n, groups, channels / groups, h, w);
        NDArray normed = ai.djl.nn.norm.LayerNorm.layerNorm(
                grouped, inner, m.ones(inner, x.getDataType()), m.zeros(inner, x.getDataType()), (float) eps).head();
        return normed.reshape(s).mul(Channels.view(weight, x)).add(Channels.view(bias, x));
    }
}
