package dev.usp.vae.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Scopes;
import dev.usp.core.engine.Scalars;
import dev.usp.core.nn.Conv2d;
import dev.usp.core.nn.Module;

/**
 * LDM's single-head spatial self-attention {@code AttnBlock}: {@code norm}, then 1x1 convolutions
 * {@code q}, {@code k}, {@code v}; softmax(q k^T / sqrt(C)) over the keys; {@code proj_out}; plus
 * the input.
 */
public final class AttnBlock extends Module implements Layer {

    private final long channels;
    private final GroupNorm norm;
    private final Conv2d q;
    private final Conv2d k;
    private final Conv2d v;
    private final Conv2d projOut;

    /** Creates an attention block over {@code channels} channels. */
    public AttnBlock(NDManager manager, long channels, int groups) {
        super(manager);
        this.channels = channels;
        norm = addModule("norm", new GroupNorm(manager, groups, channels, VaeNorm.EPS));
        q = addModule("q", new Conv2d(manager, channels, channels, 1, 1, 0, true));
        k = addModule("k", new Conv2d(manager, channels, channels, 1, 1, 0, true));
        v = addModule("v", new Conv2d(manager, channels, channels, 1, 1, 0, true));
        projOut = addModule("proj_out", new Conv2d(manager, channels, channels, 1, 1, 0, true));
    }

    /** (N, C, H, W) -> (N, C, H, W). */
    @Override
    public NDArray forward(NDArray x) {
        return Scopes.run(x, this::attend);   // temporaries (incl. the (N, HW, HW) weights) freed at the end
    }

    private NDArray attend(NDArray x) {
        long n = x.getShape().get(0);
        long hw = x.getShape().get(2) * x.getShape().get(3);
        NDArray h = norm.forward(x);
        NDArray qs = q.forward(h).reshape(n, channels, hw).transpose(0, 2, 1);   // (N, HW, C)
        NDArray ks = k.forward(h).reshape(n, channels, hw);                      // (N, C, HW)
        NDArray vs = v.forward(h).reshape(n, channels, hw);                      // (N, C, HW)
        NDArray w = Scalars.mul(qs.matMul(ks), Math.pow(channels, -0.5)).softmax(2);      // (N, HWq, HWk)
        NDArray out = vs.matMul(w.transpose(0, 2, 1)).reshape(x.getShape());      // (N, C, H, W)
        return x.add(projOut.forward(out));
    }
}
