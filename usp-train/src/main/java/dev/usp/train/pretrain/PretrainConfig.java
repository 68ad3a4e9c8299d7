package dev.usp.train.pretrain;

import dev.usp.core.config.DataConfig;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.config.Range;
import dev.usp.core.config.RunConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Masked latent pretraining, as {@code main_pretrain.py} of the official code: the model, the
 * masking, the data, the optimiser recipe and the run bookkeeping. Loaded from YAML
 * ({@code configs/imagenet/pretrain-*.yaml}, {@code configs/fmnist/pretrain.yaml}).
 *
 * <p>The latents come from a latent cache ({@code data.source: cache}, {@code data.train}: random
 * flip + posterior sample, the official {@code --use_cached}) or from images encoded on the fly by
 * the frozen VAE ({@code data.source: images}: posterior mean x scale factor; {@code data.dataset}
 * {@code fmnist} is the train split padded to 32x32 + random flip, {@code folder} an image folder
 * under {@code data.dir} with a random-resized crop (scale 0.2-1) to {@code image_size} + random
 * flip, as the official transform; {@code data.limit} uses only the first N images).
 *
 * @param model an MAE size name ({@code MaeModels.names()}), e.g. {@code vit_base_patch_vae}
 * @param latentSize latent side: 28 for 224-px images through the d8 VAE, 8 for Fashion-MNIST
 * @param latentChannels latent channels (4 for d8, 16 for d16)
 * @param patchSize patch size on the latent (2 for d8, 1 for d16)
 * @param maskRatio fraction of patches dropped
 * @param normPixLoss normalise each target patch by its mean and unbiased variance
 * @param addNoise noise the input latents (t ~ U[0.5, 1)) and reconstruct the clean ones
 * @param vae VAE weights, as {@code usp encode --vae} takes them (data.source images)
 * @param vaePreset VAE architecture when the weights carry none (sd, kl16, fmnist-tiny, ...), or null
 * @param imageSize crop side for {@code data.dataset: folder}
 * @param data a latent cache or images
 * @param batchSize per-device micro-batch
 * @param accumIter micro-batches accumulated per optimiser step
 * @param epochs length of training in passes over the data (may be fractional)
 * @param optim AdamW, lr = blr x effective batch / 256 unless {@code lr} is set, linear warm-up
 *     ({@code warmup_epochs}) then half-cycle cosine to {@code min_lr}, set every iteration
 * @param run run folder and bookkeeping
 * @param seed the run seed
 */
public record PretrainConfig(
        String model,
        @Range(min = 1, max = 1024) int latentSize,
        @Range(min = 1, max = 64) int latentChannels,
        @Range(min = 1, max = 16) int patchSize,
        @Range(min = 0.0, max = 0.99) double maskRatio,
        boolean normPixLoss,
        boolean addNoise,
        Path vae,
        String vaePreset,
        @Range(min = 1, max = 4096) int imageSize,
        DataConfig data,
        @Range(min = 1) int batchSize,
        @Range(min = 1) int accumIter,
        @Range(min = 0.001) double epochs,
        OptimConfig optim,
        RunConfig run,
        long seed) {

    /** Refuses settings the pretrainer does not implement. */
    public PretrainConfig {
        data.require("pretrain", null, false);
        optim.require("pretrain", List.of("adamw"), List.of("cosine"), true, false);
    }

    /**
     * The official ViT-B recipe on 224-px ImageNet through the d8 VAE: a latent cache, per-GPU
     * batch 64, AdamW blr 1.5e-4, wd 0.05, betas 0.9/0.95, 800 epochs, 40 warm-up; runs/, a
     * time-stamped name, a line every 20 steps, a checkpoint at the end, keep 2.
     */
    public static PretrainConfig defaults() {
        return new PretrainConfig("vit_base_patch_vae", 28, 4, 2, 0.75, true, false, null, null, 224,
                new DataConfig("cache", null, null, "fmnist", null, 0, 0), 64, 1, 800,
                new OptimConfig("adamw", 0, 1.5e-4, 0, 0.05, 0.9, 0.95, 40, 0, "cosine"),
                new RunConfig(Path.of("runs"), "", 20, 0, 2, false), 0);
    }

    /** The keys of the release before the shared {@code data:}/{@code optim:} blocks, read with a warning. */
    public static Map<String, String> renamedKeys() {
        return Map.of("data.cache", "data.train", "data.data_dir", "data.dir", "data.vae", "vae",
                "data.vae_preset", "vae_preset", "data.image_size", "image_size", "optim.batch_size", "batch_size",
                "optim.accum_iter", "accum_iter", "optim.epochs", "epochs");
    }

    /** Images per optimiser step on one device: {@code batch_size x accum_iter}. */
    public int effectiveBatch() {
        return batchSize * accumIter;
    }
}
