package dev.usp.models.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.nn.Init;
import dev.usp.core.nn.LayerNorm;
import dev.usp.core.nn.Linear;
import dev.usp.core.nn.Module;
import dev.usp.core.nn.Parameter;
import dev.usp.core.nn.PatchEmbed;

/**
 * The ViT classifier on VAE latents, as USP's {@code models_vit.py} builds it from timm's
 * {@code VisionTransformer}: {@code patch_embed}, {@code cls_token}, a <em>learnable</em>
 * {@code pos_embed} (1, 1+L, D) with a cls row, {@code blocks}, then either {@code norm} + cls
 * token ({@link GlobalPool#TOKEN}) or patch-token mean + {@code fc_norm} ({@link GlobalPool#AVG}),
 * and the {@code head} Linear (or MAE's linear-probe {@link ProbeHead}). Parameter names equal the MAE encoder's, so a pretrained MAE state
 * dict loads non-strictly by name.
 *
 * <p>Init as timm 0.9.12: pos_embed trunc-normal 0.02, cls token N(0, 1e-6), every Linear
 * trunc-normal 0.02 with zero bias, patch conv PyTorch default; then the head weight is drawn
 * again with {@link VitConfig#headInitStd()} as MAE's fine-tune and linear-probe scripts do.
 */
public final class VisionTransformer extends Module {

    private final VitConfig config;
    private final Parameter clsToken;
    private final Parameter posEmbed;
    private final PatchEmbed patchEmbed;
    private final BlockStack blocks;
    private final LayerNorm norm;
    private final LayerNorm fcNorm;
    private final Linear head;
    private final ProbeHead probe;

    /** Builds and initialises the classifier. */
    public VisionTransformer(VitConfig config, NDManager manager) {
        super(manager);
        this.config = config;
        long d = config.embedDim();
        int tokens = config.gridSize() * config.gridSize();
        clsToken = addParameter("cls_token", manager.zeros(new Shape(1, 1, d)));
        posEmbed = addParameter("pos_embed", manager.zeros(new Shape(1, tokens + 1, d)));
        patchEmbed = addModule("patch_embed",
                new PatchEmbed(manager, config.inputSize(), config.patchSize(), config.inChannels(), d));
        blocks = addModule("blocks", new BlockStack(manager, config.depth(), d, config.heads(),
                config.mlpRatio(), config.dropPathRate()));
        boolean avg = config.pool() == GlobalPool.AVG;
        norm = avg ? null : addModule("norm", new LayerNorm(manager, d, 1e-6, true));
        fcNorm = avg ? addModule("fc_norm", new LayerNorm(manager, d, 1e-6, true)) : null;
        probe = config.probeHead() ? addModule("head", new ProbeHead(manager, d, config.numClasses())) : null;
        head = probe != null ? probe.linear() : addModule("head", new Linear(manager, d, config.numClasses()));
        initWeights();
    }

    private void initWeights() {
        Init.truncNormal(posEmbed, 0.02);
        Init.normal(clsToken, 1e-6);
        apply(m -> {
            if (m instanceof Linear lin) {
                Init.truncNormal(lin.weight(), 0.02);
                Init.zeros(lin.bias());
            }
        });
        Init.truncNormal(head.weight(), config.headInitStd());
    }

    /** The pooled features (B, D) of latents (B, C, H, W), before the head. */
    public NDArray forwardFeatures(NDArray x) {
        long b = x.getShape().get(0);
        long d = config.embedDim();
        NDArray tokens = patchEmbed.forward(x);                                                // (B, L, D)
        NDArray cls = x.getManager().zeros(new Shape(b, 1, d), x.getDataType()).add(clsToken.array()); // (B, 1, D)
        NDArray h = cls.concat(tokens, 1).add(posEmbed.array());                              // (B, 1+L, D)
        h = blocks.forward(h);
        if (config.pool() == GlobalPool.AVG) {
            return fcNorm.forward(h.get(":, 1:, :").mean(new int[] {1}));                     // (B, D)
        }
        return norm.forward(h).get(":, 0, :");                                                 // (B, D)
    }

    /** Logits (B, numClasses) of latents (B, C, H, W). */
    public NDArray forward(NDArray x) {
        NDArray features = forwardFeatures(x);
        return probe != null ? probe.forward(features) : head.forward(features);
    }

    /** The configuration this model was built with. */
    public VitConfig config() {
        return config;
    }

    /** The head Linear ({@code head}, or {@code head.1} behind the probe's BatchNorm): what a linear probe trains. */
    public Linear head() {
        return head;
    }

    /** The transformer blocks. */
    public BlockStack blocks() {
        return blocks;
    }
}
