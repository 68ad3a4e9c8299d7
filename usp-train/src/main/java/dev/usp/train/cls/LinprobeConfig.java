package dev.usp.train.cls;

import dev.usp.core.config.DataConfig;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.config.Range;
import dev.usp.core.config.RunConfig;
import dev.usp.models.vit.GlobalPool;

import java.nio.file.Path;
import java.util.Map;

/**
 * {@code usp linprobe}: a BatchNorm1d (no affine) + Linear head on a frozen encoder, trained with
 * LARS, as USP's {@code main_linprobe.py}. {@code data:}, {@code optim:}, {@code run:} and
 * {@code seed} are the shared vocabulary of {@code dev.usp.core.config}.
 *
 * @param finetune             MAE checkpoint to probe; null = a random encoder (a baseline)
 * @param data                 latent caches: {@code train}, and {@code val} to evaluate on
 * @param numClasses           classifier outputs
 * @param latent               training input: posterior mean (official) or a posterior sample
 * @param evalBatchSize        images per evaluation (and feature pre-computation) batch
 * @param model                encoder and head ({@code skip_depth} probes an intermediate depth)
 * @param epochs               training epochs (fractional allowed for short runs)
 * @param batchSize            images per micro-batch
 * @param accumIter            micro-batches per optimiser step
 * @param optim                LARS: lr = blr x effective batch / 256 unless lr is set, warm-up epochs, cosine
 * @param precomputeFeatures   run the frozen encoder once over both flips of every training image
 *                             and train the head on the stored features (same math as the per-step
 *                             path when {@code latent} is {@code mean})
 * @param evalEvery            optimiser steps between evaluations (each also saves a checkpoint); 0 = once per epoch
 * @param run                  run folder and logging
 * @param seed                 the run seed
 */
public record LinprobeConfig(Path finetune, DataConfig data, @Range(min = 1) int numClasses, LatentInput latent,
                             @Range(min = 1) int evalBatchSize, ClsModelConfig model, @Range(min = 0) double epochs,
                             @Range(min = 1) int batchSize, @Range(min = 1) int accumIter, OptimConfig optim,
                             boolean precomputeFeatures, @Range(min = 0) int evalEvery, RunConfig run, long seed)
        implements ClsStageConfig {

    /** Refuses what the probe does not implement. */
    public LinprobeConfig {
        ClsConfigs.check("linprobe", data, optim, "lars", run);
    }

    /**
     * MAE's linear probe for ViT-B: cls token, no drop path, head std 0.01, 90 epochs, warm-up 10,
     * blr 0.1, wd 0, min lr 0, batch 16384 (512 x 32 devices; here 512 x accum 32).
     */
    public static LinprobeConfig defaults() {
        return new LinprobeConfig(null, ClsConfigs.imagenetCaches(), 1000, LatentInput.MEAN, 256,
                new ClsModelConfig("vit_base_patch16_vae", 2, GlobalPool.TOKEN, 0.0, 0, 0.01), 90, 512, 32,
                new OptimConfig("lars", 0, 0.1, 0, 0, 0.9, 0.999, 10, 0, "cosine"), false, 0, RunConfig.defaults(), 0);
    }

    /** A config from the parts the trainers take (tests and tools that build one in code). */
    public static LinprobeConfig of(Path finetune, ClsDataConfig data, ClsModelConfig model, ClsOptimConfig optim,
                                    boolean precomputeFeatures, ClsRunConfig run, long seed) {
        return new LinprobeConfig(finetune, DataConfig.cache(data.trainCache(), data.testCache()), data.numClasses(),
                data.latent(), data.evalBatchSize(), model, optim.epochs(), optim.batchSize(), optim.accumIter(),
                optim.optim(), precomputeFeatures, run.evalEvery(), run.run(), seed);
    }

    /** The keys of the release before the shared blocks, read with a warning. */
    public static Map<String, String> renamedKeys() {
        return ClsConfigs.renamedKeys();
    }

    /** This config probing another checkpoint. */
    public LinprobeConfig withFinetune(Path checkpoint) {
        return new LinprobeConfig(checkpoint, data, numClasses, latent, evalBatchSize, model, epochs, batchSize,
                accumIter, optim, precomputeFeatures, evalEvery, run, seed);
    }
}
