package dev.usp.train.cls;

import dev.usp.core.config.DataConfig;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.config.Range;
import dev.usp.core.config.RunConfig;

import java.nio.file.Path;
import java.util.Map;

/**
 * {@code usp finetune-cls}: end-to-end fine-tuning of a ViT classifier on cached latents, as
 * USP's {@code main_finetune.py} (the MAE recipe). {@code data:}, {@code optim:}, {@code run:}
 * and {@code seed} are the shared vocabulary of {@code dev.usp.core.config}.
 *
 * @param finetune      MAE checkpoint (.pth or .safetensors) to start from; null = random init
 * @param data          latent caches: {@code train}, and {@code val} to evaluate on
 * @param numClasses    classifier outputs
 * @param latent        training input: posterior mean (official) or a posterior sample
 * @param evalBatchSize images per evaluation batch
 * @param model         classifier
 * @param epochs        training epochs (fractional allowed for short runs)
 * @param batchSize     images per micro-batch
 * @param accumIter     micro-batches per optimiser step
 * @param optim         AdamW: lr = blr x effective batch / 256 unless lr is set, warm-up epochs, cosine to min_lr
 * @param layerDecay    layer-wise lr decay: block i gets {@code layerDecay^(depth + 1 - (i + 1))}
 * @param clipGrad      clip the gradient norm to this; 0 = no clipping (official default)
 * @param mix           mixup/cutmix and label smoothing
 * @param evalEvery     optimiser steps between evaluations (each also saves a checkpoint); 0 = once per epoch
 * @param run           run folder and logging
 * @param seed          the run seed
 */
public record FinetuneConfig(Path finetune, DataConfig data, @Range(min = 1) int numClasses, LatentInput latent,
                             @Range(min = 1) int evalBatchSize, ClsModelConfig model, @Range(min = 0) double epochs,
                             @Range(min = 1) int batchSize, @Range(min = 1) int accumIter, OptimConfig optim,
                             @Range(min = 0, max = 1) double layerDecay, @Range(min = 0) double clipGrad,
                             MixConfig mix, @Range(min = 0) int evalEvery, RunConfig run, long seed)
        implements ClsStageConfig {

    /** Validates combinations the field ranges cannot. */
    public FinetuneConfig {
        ClsConfigs.check("finetune-cls", data, optim, "adamw", run);
        if (mix.enabled() && batchSize % 2 != 0) {
            throw new IllegalArgumentException("mixup/cutmix mixes a batch with its reverse and needs an even "
                    + "batch_size, got " + batchSize);
        }
    }

    /**
     * ViT-B fine-tune values of MAE's FINETUNE.md: ImageNet-1k caches, 100 epochs, warm-up 5, batch 64,
     * blr 5e-4, min lr 1e-6, wd 0.05, layer decay 0.65, no clipping, MAE mixing, evaluation every epoch.
     */
    public static FinetuneConfig defaults() {
        return new FinetuneConfig(null, ClsConfigs.imagenetCaches(), 1000, LatentInput.MEAN, 256,
                ClsModelConfig.defaults(), 100, 64, 1,
                new OptimConfig("adamw", 0, 5e-4, 1e-6, 0.05, 0.9, 0.999, 5, 0, "cosine"), 0.65, 0,
                MixConfig.defaults(), 0, RunConfig.defaults(), 0);
    }

    /** A config from the parts the trainers take (tests and tools that build one in code). */
    public static FinetuneConfig of(Path finetune, ClsDataConfig data, ClsModelConfig model, ClsOptimConfig optim,
                                    double layerDecay, double clipGrad, MixConfig mix, ClsRunConfig run, long seed) {
        return new FinetuneConfig(finetune, DataConfig.cache(data.trainCache(), data.testCache()), data.numClasses(),
                data.latent(), data.evalBatchSize(), model, optim.epochs(), optim.batchSize(), optim.accumIter(),
                optim.optim(), layerDecay, clipGrad, mix, run.evalEvery(), run.run(), seed);
    }

    /** The keys of the release before the shared blocks, read with a warning. */
    public static Map<String, String> renamedKeys() {
        return ClsConfigs.renamedKeys();
    }

    /** This config starting from another checkpoint. */
    public FinetuneConfig withFinetune(Path checkpoint) {
        return new FinetuneConfig(checkpoint, data, numClasses, latent, evalBatchSize, model, epochs, batchSize,
                accumIter, optim, layerDecay, clipGrad, mix, evalEvery, run, seed);
    }
}
