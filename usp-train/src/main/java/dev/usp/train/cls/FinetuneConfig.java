package dev.usp.train.cls;

import dev.usp.core.config.Range;

import java.nio.file.Path;

/**
 * {@code usp finetune-cls}: end-to-end fine-tuning of a ViT classifier on cached latents, as
 * USP's {@code main_finetune.py} (the MAE recipe).
 *
 * @param finetune    MAE checkpoint (.pth or .safetensors) to start from; null = random init
 * @param data        caches and classes
 * @param model       classifier
 * @param optim       batch, schedule, AdamW values
 * @param layerDecay  layer-wise lr decay: block i gets {@code layerDecay^(depth + 1 - (i + 1))}
 * @param clipGrad    clip the gradient norm to this; 0 = no clipping (official default)
 * @param mix         mixup/cutmix and label smoothing
 * @param run         run folder, logging, evaluation
 */
public record FinetuneConfig(Path finetune, ClsDataConfig data, ClsModelConfig model, ClsOptimConfig optim,
                             @Range(min = 0, max = 1) double layerDecay, @Range(min = 0) double clipGrad,
                             MixConfig mix, ClsRunConfig run) {

    /** Validates combinations the field ranges cannot. */
    public FinetuneConfig {
        if (mix.enabled() && optim.batchSize() % 2 != 0) {
            throw new IllegalArgumentException("mixup/cutmix mixes a batch with its reverse and needs an even "
                    + "optim.batch_size, got " + optim.batchSize());
        }
    }

    /** ViT-B fine-tune values of MAE's FINETUNE.md: layer decay 0.65, no clipping, MAE mixing. */
    public static FinetuneConfig defaults() {
        return new FinetuneConfig(null, ClsDataConfig.defaults(), ClsModelConfig.defaults(), ClsOptimConfig.defaults(),
                0.65, 0, MixConfig.defaults(), ClsRunConfig.defaults());
    }

    /** This config starting from another checkpoint. */
    public FinetuneConfig withFinetune(Path checkpoint) {
        return new FinetuneConfig(checkpoint, data, model, optim, layerDecay, clipGrad, mix, run);
    }
}
