package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Kernels;
import dev.usp.core.engine.Scalars;

/**
 * timm's multi-head self-attention: one fused {@code qkv} Linear (D -> 3D) and an output
 * {@code proj} (D -> D); scores scaled by head_dim^-0.5.
 *
 * <p>Axes: B batch, N tokens, H heads, d = D / H. With {@link Kernels#fused()} the attention itself is
 * libtorch's {@code scaled_dot_product_attention} (one fused kernel each way, no (B, H, N, N) matrix kept
 * for backward), else matmul, softmax and matmul as timm writes it.
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
        if (Kernels.fused()) {
            try (NDArray perHead = Kernels.attention(q, k, v, scale)) {           // (B, H, N, d)
                return proj.forward(perHead.transpose(0, 2, 1, 3).reshape(b, n, d)); // (B, N, D)
            }
        }
        // Temporaries that backward does not need are closed at once, as PyTorch frees them when
        // unreferenced (autograd keeps its own references to what it saved); otherwise they live
        // until the step manager closes, and a training step's peak RSS grows by (B, H, N, N) twice.
        NDArray attn;
        try (NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); NDArray scaled = Scalars.mul(scores, scale)) {
            attn = scaled.softmax(-1);                                         // (B, H, N, N)
        }
        try (NDArray perHead = attn.matMul(v)) {                               // (B, H, N, d)
            return proj.forward(perHead.transpose(0, 2, 1, 3).reshape(b, n, d)); // (B, N, D)
        }
    }

    /** Xavier init for qkv and proj (MAE, ViT and DiT all do this). */
    public void initXavier() {
        qkv.initXavier();
        proj.initXavier();
    }
}
