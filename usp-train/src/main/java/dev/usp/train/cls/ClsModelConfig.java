package dev.usp.train.cls;

import dev.usp.core.config.Range;
import dev.usp.models.vit.GlobalPool;

/**
 * The ViT classifier: a named size of {@link dev.usp.models.vit.VitModels} on the caches' latent
 * geometry (side and channels come from the train cache).
 *
 * @param name         {@code vit_tiny_patch16_vae}, {@code vit_base_patch16_vae}, ...
 * @param patchSize    patch side in latent pixels (2 for d8 latents, official)
 * @param pool         {@code avg} (patch mean + fc_norm) or {@code token} (cls token + norm)
 * @param dropPath     the last block's drop-path rate
 * @param skipDepth    blocks left out from the end (USP's {@code skip_depth})
 * @param headInitStd  std of the head's truncated-normal init (fine-tune 2e-5, linear probe 0.01)
 * @param allowPartial accept a {@code --finetune} checkpoint that leaves encoder tensors at their init
 *                     (the head and {@code fc_norm} are always the classifier's own)
 * @param resizePosEmbed resize the checkpoint's position table bicubically when its grid differs
 *                     (MAE's {@code interpolate_pos_embed}); otherwise another grid is an error
 */
public record ClsModelConfig(String name, @Range(min = 1) int patchSize, GlobalPool pool,
                             @Range(min = 0, max = 1) double dropPath, @Range(min = 0) int skipDepth,
                             @Range(min = 0) double headInitStd, boolean allowPartial, boolean resizePosEmbed) {

    /** A config that transfers only complete encoders of its own grid. */
    public ClsModelConfig(String name, int patchSize, GlobalPool pool, double dropPath, int skipDepth,
                          double headInitStd) {
        this(name, patchSize, pool, dropPath, skipDepth, headInitStd, false, false);
    }

    /** ViT-B/2 on latents, average pooling, drop path 0.1, head std 2e-5 (MAE fine-tune). */
    public static ClsModelConfig defaults() {
        return new ClsModelConfig("vit_base_patch16_vae", 2, GlobalPool.AVG, 0.1, 0, 2e-5);
    }
}
