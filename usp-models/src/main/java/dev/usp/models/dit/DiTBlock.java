package dev.usp.models.dit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Scopes;
import dev.usp.core.nn.Attention;
import dev.usp.core.nn.LayerNorm;
import dev.usp.core.nn.Mlp;
import dev.usp.core.nn.Module;

/**
 * A DiT block with adaLN-Zero conditioning: norm1, attn, norm2, mlp (tanh GELU) and
 * {@code adaLN_modulation.1} (D -> 6D). The norms are non-affine (eps 1e-6) in standard DiT and
 * affine in USP's "VAE-simple" blocks, so that MAE's pretrained norm weights load.
 */
public final class DiTBlock extends Module {

    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerNorm norm2;
    private final Mlp mlp;
    private final AdaLnModulation adaLn;

    /** Creates a block of width {@code dim}. */
    public DiTBlock(NDManager manager, long dim, int heads, double mlpRatio, boolean affineNorms) {
        super(manager);
        norm1 = addModule("norm1", new LayerNorm(manager, dim, 1e-6, affineNorms));
        attn = addModule("attn", new Attention(manager, dim, heads, true));
        norm2 = addModule("norm2", new LayerNorm(manager, dim, 1e-6, affineNorms));
        mlp = addModule("mlp", new Mlp(manager, dim, (long) (dim * mlpRatio), true));
        adaLn = addModule("adaLN_modulation", new AdaLnModulation(manager, dim, 6));
    }

    /** x (N, T, D), c (N, D) -> (N, T, D). */
    public NDArray forward(NDArray x, NDArray c) {
        // The block's temporaries are freed when it ends, not when the step's manager closes.
        return Scopes.run(new NDList(x, c), in -> {
            NDList m = adaLn.forward(in.get(1)); // shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp: (N, 1, D)
            NDArray h = attn.forward(AdaLnModulation.modulate(norm1.forward(in.get(0)), m.get(0), m.get(1)));
            NDArray y = in.get(0).add(m.get(2).mul(h));
            h = mlp.forward(AdaLnModulation.modulate(norm2.forward(y), m.get(3), m.get(4)));
            return new NDList(y.add(m.get(5).mul(h)));
        }).head();
    }

    /** The adaLN modulation (zero-initialised by DiT). */
    public AdaLnModulation adaLnModulation() {
        return adaLn;
    }
}
