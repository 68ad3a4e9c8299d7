package dev.usp.models.dit;

import dev.usp.core.engine.HostArrays;
import dev.usp.core.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.nn.Linear;
import dev.usp.core.nn.Module;
import dev.usp.core.nn.Parameter;
import dev.usp.core.nn.PatchEmbed;
import dev.usp.core.nn.Patches;
import dev.usp.core.nn.SinCosPosEmbed;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The Diffusion Transformer (facebookresearch/DiT {@code models.py}, and USP's "VAE-simple"
 * variant through {@link DiTConfig#affineBlockNorms()}), with the official state-dict names:
 * {@code pos_embed}, {@code x_embedder.proj}, {@code t_embedder.mlp.{0,2}},
 * {@code y_embedder.embedding_table}, {@code blocks.{i}.*}, {@code final_layer.*}.
 *
 * <p>Axes: N batch, C latent channels, H = W latent side, T = (H/p)^2 tokens, D width.
 */
public class DiT extends Module {

    private final DiTConfig config;
    private final Parameter posEmbed;
    private final PatchEmbed xEmbedder;
    private final TimestepEmbedder tEmbedder;
    private final LabelEmbedder yEmbedder;
    private final List<DiTBlock> blocks;
    private final FinalLayer finalLayer;

    /** Builds the network and applies the official initialisation. */
    public DiT(NDManager manager, DiTConfig config) {
        super(manager);
        this.config = config;
        int d = config.hiddenSize();
        float[] table = SinCosPosEmbed.table2d(d, config.gridSize(), false);
        posEmbed = addFrozen("pos_embed", HostArrays.floats(manager, table, new Shape(1, config.numPatches(), d)));
        xEmbedder = addModule("x_embedder",
                new PatchEmbed(manager, config.inputSize(), config.patchSize(), config.inChannels(), d));
        tEmbedder = addModule("t_embedder", new TimestepEmbedder(manager, d));
        yEmbedder = addModule("y_embedder",
                new LabelEmbedder(manager, config.numClasses(), d, config.classDropoutProb()));
        BlockList list = addModule("blocks", new BlockList(manager));
        List<DiTBlock> bs = new ArrayList<>();
        for (int i = 0; i < config.depth(); i++) {
            bs.add(list.add(i, new DiTBlock(manager, d, config.numHeads(), config.mlpRatio(),
                    config.affineBlockNorms())));
        }
        blocks = Collections.unmodifiableList(bs);
        finalLayer = addModule("final_layer",
                new FinalLayer(manager, d, config.patchSize(), config.outChannels()));
        initializeWeights();
    }

    /**
     * The official {@code initialize_weights}: xavier-uniform Linears with zero bias, the patch
     * conv xavier on its flattened (D, C*p*p) view with zero bias, label table and timestep-MLP
     * weights N(0, 0.02), every adaLN Linear and the final Linear zero (adaLN-Zero). The sin-cos
     * {@code pos_embed} is set at construction. Affine block norms keep (1, 0).
     */
    public final void initializeWeights() {
        apply(m -> {
            if (m instanceof Linear) {
                ((Linear) m).initXavier();
            }
        });
        xEmbedder.initXavierFlat(true);
        yEmbedder.initNormal();
        tEmbedder.initNormal();
        for (DiTBlock b : blocks) {
            b.adaLnModulation().linear().initZeros();
        }
        finalLayer.initZeros();
    }

    /**
     * x (N, C, H, W) latents, t (N) timesteps (integer steps for DiT, continuous for SiT; any
     * numeric type), y (N) class labels -> (N, outChannels, H, W).
     */
    public NDArray forward(NDArray x, NDArray t, NDArray y) {
        return forward(x, t, y, null);
    }

    /**
     * {@link #forward(NDArray, NDArray, NDArray)} with the label dropout decided by the caller
     * (DiT's {@code force_drop_ids}): (N) with 1 where the label becomes the null class, or null
     * to draw it here in training mode. A trainer that splits a batch over replicas or processes
     * draws it once for the whole batch.
     */
    public NDArray forward(NDArray x, NDArray t, NDArray y, NDArray forceDropIds) {
        NDArray h = xEmbedder.forward(x).add(posEmbed.array()); // (N, T, D)
        NDArray c = tEmbedder.forward(t).add(yEmbedder.forward(y, forceDropIds)); // (N, D)
        for (DiTBlock b : blocks) {
            h = b.forward(h, c);                                  // (N, T, D)
        }
        h = finalLayer.forward(h, c);                             // (N, T, p*p*outChannels)
        return unpatchify(h);                                     // (N, outChannels, H, W)
    }

    /**
     * Classifier-free guidance with DiT's convention: guidance on the first 3 output channels only
     * (the official code does so "for exact reproducibility"), the rest passed through.
     */
    public NDArray forwardWithCfg(NDArray x, NDArray t, NDArray y, double cfgScale) {
        return forwardWithCfg(x, t, y, cfgScale, false);
    }

    /**
     * Batched conditional + unconditional forward: the first half of {@code x} is duplicated, the
     * caller's {@code y} holds the conditional labels then the null labels; the guided prediction
     * uncond + s * (cond - uncond) replaces both halves of the guided channels.
     *
     * @param allChannels false: guide the first 3 channels (DiT's default); true: guide all
     *     {@code inChannels} prediction channels (the official alternative), the learned-sigma
     *     channels still pass through
     */
    public NDArray forwardWithCfg(NDArray x, NDArray t, NDArray y, double cfgScale, boolean allChannels) {
        long n = x.getShape().get(0);
        NDArray half = x.get("0:" + n / 2);
        NDArray out = forward(NDArrays.concat(new NDList(half, half), 0), t, y);
        long channels = out.getShape().get(1);
        long guided = Math.min(allChannels ? config.inChannels() : 3, channels);
        NDArray eps = out.get(":, 0:" + guided);
        NDList condUncond = eps.split(2, 0);
        NDArray uncond = condUncond.get(1);
        NDArray halfEps = uncond.add(Scalars.mul(condUncond.get(0).sub(uncond), cfgScale));
        NDArray guidedEps = NDArrays.concat(new NDList(halfEps, halfEps), 0);
        if (guided == channels) {
            return guidedEps;
        }
        return NDArrays.concat(new NDList(guidedEps, out.get(":, " + guided + ":")), 1);
    }

    /** (N, T, p*p*outChannels) -> (N, outChannels, H, W), the official einsum nhwpqc->nchpwq. */
    public NDArray unpatchify(NDArray x) {
        return Patches.unpatchify(x, config.patchSize(), config.outChannels());
    }

    /** The configuration this network was built from. */
    public DiTConfig config() {
        return config;
    }

    /** The blocks, in order. */
    public List<DiTBlock> blocks() {
        return blocks;
    }

    /** The label embedder (for forced drops in sampling code). */
    public LabelEmbedder labelEmbedder() {
        return yEmbedder;
    }

    /** {@code nn.ModuleList}: children named 0, 1, 2, ... */
    private static final class BlockList extends Module {
        BlockList(NDManager manager) {
            super(manager);
        }

        DiTBlock add(int index, DiTBlock block) {
            return addModule(Integer.toString(index), block);
        }
    }
}
