package dev.usp.models.mae;

import dev.usp.core.engine.HostArrays;
import dev.usp.core.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.nn.Init;
import dev.usp.core.nn.LayerNorm;
import dev.usp.core.nn.Linear;
import dev.usp.core.nn.Module;
import dev.usp.core.nn.Parameter;
import dev.usp.core.nn.PatchEmbed;
import dev.usp.core.nn.Patches;
import dev.usp.core.nn.SinCosPosEmbed;
import dev.usp.models.vit.BlockStack;

/**
 * The masked autoencoder on VAE latents: USP's {@code MaskedAutoencoderViT} with the official
 * parameter names ({@code patch_embed.proj}, {@code cls_token}, frozen {@code pos_embed},
 * {@code blocks.i}, {@code norm}, {@code decoder_embed}, {@code mask_token}, frozen
 * {@code decoder_pos_embed}, {@code decoder_blocks.i}, {@code decoder_norm}, {@code decoder_pred})
 * and the official init (xavier Linears with zero bias, xavier patch conv on its flat view with
 * PyTorch's default bias, cls and mask tokens N(0, 0.02), LayerNorm 1/0, sin-cos tables).
 *
 * <p>Forward stages as the official code: {@link #randomMasking}, {@link #forwardEncoder},
 * {@link #forwardDecoder}, {@link #forwardLoss}. Axes: N batch, L patches, K kept patches,
 * D encoder width, Dd decoder width, P = p*p*C values per patch.
 */
public final class MaskedAutoencoder extends Module {

    /**
     * The result of masking.
     *
     * @param kept       (N, K, D) the kept tokens, in shuffled order
     * @param mask       (N, L) 1 = removed, 0 = kept
     * @param idsRestore (N, L) int64, the permutation that puts shuffled tokens back in place
     */
    public record Masked(NDArray kept, NDArray mask, NDArray idsRestore) {
    }

    /**
     * The encoder's output.
     *
     * @param latent     (N, 1+K, D) normed tokens, cls first
     * @param mask       (N, L)
     * @param idsRestore (N, L) int64
     */
    public record Encoded(NDArray latent, NDArray mask, NDArray idsRestore) {
    }

    private final MaeConfig config;
    private final Parameter clsToken;
    private final Parameter posEmbed;
    private final Parameter maskToken;
    private final Parameter decoderPosEmbed;
    private final PatchEmbed patchEmbed;
    private final BlockStack blocks;
    private final LayerNorm norm;
    private final Linear decoderEmbed;
    private final BlockStack decoderBlocks;
    private final LayerNorm decoderNorm;
    private final Linear decoderPred;

    /** Builds and initialises the model; its parameters live in {@code manager}. */
    public MaskedAutoencoder(MaeConfig config, NDManager manager) {
        super(manager);
        this.config = config;
        long d = config.embedDim();
        long dd = config.decoderDim();
        clsToken = addParameter("cls_token", manager.zeros(new Shape(1, 1, d)));
        posEmbed = addFrozen("pos_embed", sinCos(manager, d));
        maskToken = addParameter("mask_token", manager.zeros(new Shape(1, 1, dd)));
        decoderPosEmbed = addFrozen("decoder_pos_embed", sinCos(manager, dd));
        patchEmbed = addModule("patch_embed",
                new PatchEmbed(manager, config.inputSize(), config.patchSize(), config.inChannels(), d));
        blocks = addModule("blocks", new BlockStack(manager, config.depth(), d, config.heads(), config.mlpRatio(), 0));
        norm = addModule("norm", new LayerNorm(manager, d, 1e-6, true));
        decoderEmbed = addModule("decoder_embed", new Linear(manager, d, dd));
        decoderBlocks = addModule("decoder_blocks", new BlockStack(manager, config.decoderDepth(), dd,
                config.decoderHeads(), config.mlpRatio(), 0));
        decoderNorm = addModule("decoder_norm", new LayerNorm(manager, dd, 1e-6, true));
        decoderPred = addModule("decoder_pred", new Linear(manager, dd, config.patchDim()));
        initWeights();
    }

    private NDArray sinCos(NDManager manager, long width) {
        int g = config.gridSize();
        float[] table = SinCosPosEmbed.table2d((int) width, g, true);
        return HostArrays.floats(manager, table, new Shape(1, (long) g * g + 1, width));
    }

    private void initWeights() {
        patchEmbed.initXavierFlat(false);
        Init.normal(clsToken, 0.02);
        Init.normal(maskToken, 0.02);
        apply(m -> {
            if (m instanceof Linear lin) {
                lin.initXavier();
            }
        });
    }

    /**
     * Per-sample random masking by sorting noise: the K = int(L (1 - ratio)) tokens with the
     * smallest noise are kept.
     *
     * @param x     (N, L, D) tokens
     * @param noise (N, L) in [0, 1), or null to draw U[0, 1) in x's manager
     */
    public Masked randomMasking(NDArray x, double maskRatio, NDArray noise) {
        NDManager step = x.getManager();
        long n = x.getShape().get(0);
        long l = x.getShape().get(1);
        long d = x.getShape().get(2);
        long keep = (long) (l * (1 - maskRatio));
        if (noise == null) {
            noise = step.randomUniform(0f, 1f, new Shape(n, l), DataType.FLOAT32);
        } else if (!noise.getShape().equals(new Shape(n, l))) {
            throw new IllegalArgumentException("masking noise must be (" + n + ", " + l + "), got " + noise.getShape());
        }
        NDArray idsShuffle = noise.argSort(1);                                   // (N, L) ascending: small is keep
        idsShuffle.attach(step);                                                 // a caller's noise may live elsewhere
        NDArray idsRestore = idsShuffle.argSort(1);                              // (N, L)
        NDArray idsKeep = idsShuffle.get(":, :" + keep);                         // (N, K)
        NDArray kept = x.gather(idsKeep.expandDims(2).broadcast(new Shape(n, keep, d)), 1); // (N, K, D)
        // The official gathers [0]*K + [1]*(L-K) by ids_restore: 1 exactly where the shuffled rank is >= K.
        NDArray mask = idsRestore.gte(keep).toType(x.getDataType(), false);      // (N, L) 1 = removed
        return new Masked(kept, mask, idsRestore);
    }

    /**
     * Embeds, adds positions, masks, prepends the cls token and runs the encoder.
     *
     * @param imgs  (N, C, H, W) latents
     * @param noise (N, L) masking noise, or null
     */
    public Encoded forwardEncoder(NDArray imgs, double maskRatio, NDArray noise) {
        NDManager step = imgs.getManager();
        NDArray x = patchEmbed.forward(imgs);                                    // (N, L, D)
        x = x.add(slice(posEmbed, step, ":, 1:, :"));
        Masked m = randomMasking(x, maskRatio, noise);                           // (N, K, D)
        long n = x.getShape().get(0);
        NDArray cls = step.zeros(new Shape(n, 1, config.embedDim()), x.getDataType())
                .add(clsToken.array()).add(slice(posEmbed, step, ":, :1, :"));  // (N, 1, D)
        x = cls.concat(m.kept(), 1);                                             // (N, 1+K, D)
        x = norm.forward(blocks.forward(x));
        return new Encoded(x, m.mask(), m.idsRestore());
    }

    /**
     * Fills removed positions with the mask token, unshuffles, and predicts every patch.
     *
     * @param latent     (N, 1+K, D) encoder output
     * @param idsRestore (N, L) int64
     * @return (N, L, P) predicted patches
     */
    public NDArray forwardDecoder(NDArray latent, NDArray idsRestore) {
        NDManager step = latent.getManager();
        NDArray x = decoderEmbed.forward(latent);                                // (N, 1+K, Dd)
        long n = x.getShape().get(0);
        long kept = x.getShape().get(1) - 1;
        long l = idsRestore.getShape().get(1);
        long dd = config.decoderDim();
        NDArray tokens = step.zeros(new Shape(n, l - kept, dd), x.getDataType()).add(maskToken.array()); // (N, L-K, Dd)
        NDArray seq = x.get(":, 1:, :").concat(tokens, 1);                       // (N, L, Dd) shuffled order
        seq = seq.gather(idsRestore.expandDims(2).broadcast(new Shape(n, l, dd)), 1); // (N, L, Dd) unshuffled
        x = x.get(":, :1, :").concat(seq, 1).add(decoderPosEmbed.array());      // (N, 1+L, Dd)
        x = decoderPred.forward(decoderNorm.forward(decoderBlocks.forward(x))); // (N, 1+L, P)
        return x.get(":, 1:, :");                                                // (N, L, P)
    }

    /**
     * Mean squared error over removed patches.
     *
     * @param target (N, C, H, W) clean latents
     * @param pred   (N, L, P)
     * @param mask   (N, L) 1 = removed
     * @return scalar loss
     */
    public NDArray forwardLoss(NDArray target, NDArray pred, NDArray mask) {
        NDArray t = patchify(target);                                            // (N, L, P)
        if (config.normPixLoss()) {
            int[] axes = config.normImage() ? new int[] {1, 2} : new int[] {2};
            long count = config.normImage() ? t.getShape().get(1) * t.getShape().get(2) : t.getShape().get(2);
            NDArray centred = t.sub(Scalars.div(t.sum(axes, true), count));
            NDArray var = Scalars.div(centred.square().sum(axes, true), count - 1);      // unbiased, as torch.var
            t = centred.div(var.add(1e-6).sqrt());
        }
        NDArray perPatch = pred.sub(t).square().mean(new int[] {2});             // (N, L)
        return perPatch.mul(mask).sum().div(mask.sum());
    }

    /** One forward with the configured mask ratio, fresh noise, and the input as target. */
    public MaeOutput forward(NDArray imgs) {
        return forward(imgs, config.maskRatio(), null, null);
    }

    /**
     * One forward: encoder, decoder, loss.
     *
     * <p>Every intermediate belongs to {@code imgs}'s manager (the step's), and the loss
     * temporaries to {@code target}'s: create both in the step manager.
     *
     * @param imgs   (N, C, H, W) model input
     * @param target (N, C, H, W) loss target, or null for {@code imgs} (add_noise passes the clean latents)
     * @param noise  (N, L) masking noise, or null to draw it
     */
    public MaeOutput forward(NDArray imgs, double maskRatio, NDArray target, NDArray noise) {
        Encoded e = forwardEncoder(imgs, maskRatio, noise);
        NDArray pred = forwardDecoder(e.latent(), e.idsRestore());
        NDArray loss = forwardLoss(target == null ? imgs : target, pred, e.mask());
        return new MaeOutput(loss, pred, e.mask());
    }

    /** (N, C, H, W) -> (N, L, p*p*C), official patch order. */
    public NDArray patchify(NDArray imgs) {
        return Patches.patchify(imgs, config.patchSize());
    }

    /** (N, L, p*p*C) -> (N, C, H, W). */
    public NDArray unpatchify(NDArray x) {
        return Patches.unpatchify(x, config.patchSize(), config.inChannels());
    }

    /** The configuration this model was built with. */
    public MaeConfig config() {
        return config;
    }

    /** Number of parameters of the encoder alone (patch_embed, cls_token, pos_embed, blocks, norm). */
    public long encoderParameterCount() {
        return clsToken.shape().size() + posEmbed.shape().size() + patchEmbed.parameterCount()
                + blocks.parameterCount() + norm.parameterCount();
    }

    // A slice of a module tensor handed to the step's manager, so the module's manager never grows.
    private static NDArray slice(Parameter p, NDManager step, String index) {
        NDArray s = p.array().get(index);
        s.attach(step);
        return s;
    }
}
