package dev.usp.train.cls;

import dev.usp.models.vit.GlobalPool;

import java.nio.file.Path;

/**
 * {@code usp linprobe}: a BatchNorm1d (no affine) + Linear head on a frozen encoder, trained with
 * LARS, as USP's {@code main_linprobe.py}.
 *
 * @param finetune             MAE checkpoint to probe; null = a random encoder (a baseline)
 * @param data                 caches and classes
 * @param model                encoder and head ({@code skip_depth} probes an intermediate depth)
 * @param optim                batch, schedule, LARS values
 * @param precomputeFeatures   run the frozen encoder once over both flips of every training image
 *                             and train the head on the stored features (same math as the per-step
 *                             path when {@code data.latent} is {@code mean})
 * @param run                  run folder, logging, evaluation
 */
public record LinprobeConfig(Path finetune, ClsDataConfig data, ClsModelConfig model, ClsOptimConfig optim,
                             boolean precomputeFeatures, ClsRunConfig run) {

    /**
     * MAE's linear probe for ViT-B: cls token, no drop path, head std 0.01, 90 epochs, warm-up 10,
     * blr 0.1, wd 0, min lr 0, batch 16384 (512 x 32 devices; here 512 x accum 32).
     */
    public static LinprobeConfig defaults() {
        return new LinprobeConfig(null, ClsDataConfig.defaults(),
                new ClsModelConfig("vit_base_patch16_vae", 2, GlobalPool.TOKEN, 0.0, 0, 0.01),
                new ClsOptimConfig(90, 10, 512, 32, 0, 0.1, 0, 0), false, ClsRunConfig.defaults());
    }

    /** This config probing another checkpoint. */
    public LinprobeConfig withFinetune(Path checkpoint) {
        return new LinprobeConfig(checkpoint, data, model, optim, precomputeFeatures, run);
    }
}
