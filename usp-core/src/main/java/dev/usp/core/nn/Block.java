package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Scopes;

/**
 * The pre-norm transformer block of ViT and MAE (timm's {@code Block}):
 * x + attn(norm1(x)), then x + mlp(norm2(x)); LayerNorm eps 1e-6, exact GELU.
 */
public final class Block extends Module {

    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerNorm norm2;
    private final Mlp mlp;
    private final double dropPath;

    /** Creates a block of width {@code dim}, MLP width {@code dim * mlpRatio}, qkv with bias. */
    public Block(NDManager manager, long dim, int heads, double mlpRatio, double dropPath) {
        super(manager);
        norm1 = addModule("norm1", new LayerNorm(manager, dim, 1e-6, true));
        attn = addModule("attn", new Attention(manager, dim, heads, true));
        norm2 = addModule("norm2", new LayerNorm(manager, dim, 1e-6, true));
        mlp = addModule("mlp", new Mlp(manager, dim, (long) (dim * mlpRatio), false));
        this.dropPath = dropPath;
    }

    /** (B, N, D) -> (B, N, D). */
    public NDArray forward(NDArray x) {
        // The block's temporaries are freed when it ends, not when the step's manager closes.
        return Scopes.run(x, in -> {
            NDArray h = in.add(DropPath.apply(attn.forward(norm1.forward(in)), dropPath, isTraining()));
            return h.add(DropPath.apply(mlp.forward(norm2.forward(h)), dropPath, isTraining()));
        });
    }
}
