package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Scalars;

/**
 * timm's multi-head self-attention: one fused {@code qkv} Linear (D -> 3D) and an output
 * {@code proj} (D -> D); scores scaled by head_dim^-0.5.
 *
 * <p>Axes: B batch, N tokens, H heads, d = D / H.
 */
public final class Attention extends Module {

    private final int heads;
    private final double scale;
    private final Linear qkv;
    private final Linear proj;

    /** Creates attention over {@code dim} channels split into {@code heads} heads. */
    public Attention(NDManager manager, long dim, int heads, boolean qkvBias) {
        super(manager);
        if (dim % heads != 0) {
            throw new IllegalArgumentException("dim " + dim + " is not divisible by heads " + heads);
        }
        this.heads = heads;
        this.scale = Math.pow((double) dim / heads, -0.5);
        qkv = addModule("qkv", new Linear(manager, dim, dim * 3, qkvBias));
        proj = addModule("proj", new Linear(manager, dim, dim));
    }

    /** (B, N, D) -> (B, N, D). */
    public NDArray forward(NDArray x) {
        long b = x.getShape().get(0);
        long n = x.getShape().get(1);
        long d = x.getShape().get(2);
        NDArray t = qkv.forward(x).reshape(b, n, 3, heads, d / heads).transpose(2, 0, 3, 1, 4); // (3, B, H, N, d)
        NDList parts = t.split(3, 0);
        NDArray q = parts.get(0).squeeze(0);                                   // (B, H, N, d)
        NDArray k = parts.get(1).squeeze(0);
        NDArray v = parts.get(2).squeeze(0);
        NDArray attn = Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), scale).softmax(-1); // (B, H, N, N)
        NDArray out = attn.matMul(v).transpose(0, 2, 1, 3).reshape(b, n, d);    // (B, N, D)
        return proj.forward(out);
    }

    /** Xavier init for qkv and proj (MAE, ViT and DiT all do this). */
    public void initXavier() {
        qkv.initXavier();
        proj.initXavier();
    }
}
