package dev.usp.train.pretrain;

import dev.usp.core.config.OneOf;
import dev.usp.core.config.Range;

import java.nio.file.Path;

/**
 * Masked latent pretraining, as {@code main_pretrain.py} of the official code: the model, the
 * masking, the data, the optimiser recipe and the run bookkeeping. Loaded from YAML
 * ({@code configs/imagenet/pretrain-*.yaml}, {@code configs/fmnist/pretrain.yaml}).
 *
 * @param model an MAE size name ({@code MaeModels.names()}), e.g. {@code vit_base_patch_vae}
 * @param latentSize latent side: 28 for 224-px images through the d8 VAE, 8 for Fashion-MNIST
 * @param latentChannels latent channels (4 for d8, 16 for d16)
 * @param patchSize patch size on the latent (2 for d8, 1 for d16)
 * @param maskRatio fraction of patches dropped
 * @param normPixLoss normalise each target patch by its mean and unbiased variance
 * @param addNoise noise the input latents (t ~ U[0.5, 1)) and reconstruct the clean ones
 */
public record PretrainConfig(
        String model,
        @Range(min = 1, max = 1024) int latentSize,
        @Range(min = 1, max = 64) int latentChannels,
        @Range(min = 1, max = 16) int patchSize,
        @Range(min = 0.0, max = 0.99) double maskRatio,
        boolean normPixLoss,
        boolean addNoise,
        Data data,
        Optim optim,
        Run run) {

    /**
     * Where the latents come from: a latent cache ({@code source: cache}: random flip + posterior
     * sample, the official {@code --use_cached}) or images encoded on the fly by the frozen VAE
     * ({@code source: images}: posterior mean x scale factor).
     *
     * @param source    {@code cache} or {@code images}
     * @param cache     latent cache folder written by {@code usp encode} (source cache)
     * @param vae       VAE weights, as {@code usp encode --vae} takes them (source images)
     * @param vaePreset VAE architecture when the weights carry none (sd, kl16, fmnist-tiny, ...), or null
     * @param dataset   {@code fmnist}: Fashion-MNIST train split padded to 32x32 + random flip;
     *                  {@code folder}: an image folder, random-resized crop (scale 0.2-1) to
     *                  {@code image_size} + random flip, as the official transform
     * @param dataDir   the Fashion-MNIST IDX folder (null: /usr/share/datasets/fashion-mnist), or the image folder
     * @param imageSize crop side for {@code folder}
     * @param limit     use only the first N images (0: all)
     */
    public record Data(
            @OneOf({"cache", "images"}) String source,
            Path cache,
            Path vae,
            String vaePreset,
            @OneOf({"fmnist", "folder"}) String dataset,
            Path dataDir,
            @Range(min = 1, max = 4096) int imageSize,
            @Range(min = 0) int limit) {

        /** A latent cache folder written by {@code usp encode}; for images: Fashion-MNIST, crops of 224. */
        public static Data defaults() {
            return new Data("cache", null, null, null, "fmnist", null, 224, 0);
        }

        /** True when the latents are encoded from images by the frozen VAE. */
        public boolean fromImages() {
            return "images".equals(source);
        }
    }

    /**
     * The optimiser recipe: AdamW, lr = blr x effective batch / 256 unless {@code lr} is set,
     * linear warm-up then half-cycle cosine to {@code min_lr}, set every iteration.
     *
     * @param batchSize per-device micro-batch
     * @param accumIter micro-batches accumulated per optimiser step
     * @param lr absolute lr; 0 derives it from blr
     * @param epochs length of training in passes over the data (may be fractional)
     */
    public record Optim(
            @Range(min = 1) int batchSize,
            @Range(min = 1) int accumIter,
            @Range(min = 0) double blr,
            @Range(min = 0) double lr,
            @Range(min = 0) double minLr,
            @Range(min = 0) double weightDecay,
            @Range(min = 0) double warmupEpochs,
            @Range(min = 0.001) double epochs,
            @Range(min = 0, max = 1) double beta1,
            @Range(min = 0, max = 1) double beta2) {

        /** The official recipe (per-GPU batch 64, blr 1.5e-4, wd 0.05, betas 0.9/0.95, 800 epochs, 40 warm-up). */
        public static Optim defaults() {
            return new Optim(64, 1, 1.5e-4, 0, 0, 0.05, 40, 800, 0.9, 0.95);
        }
    }

    /**
     * Run bookkeeping.
     *
     * @param dir parent folder of runs
     * @param name run name; empty for a timestamp
     * @param checkpointEvery optimiser steps between checkpoints (0: only at the end)
     * @param allowSkippedUpdates skip (and count in {@code metrics.jsonl}) an update whose gradient
     *     norm is not finite while its loss is, instead of stopping; false (default): a bug to find
     */
    public record Run(Path dir, String name, @Range(min = 1) long logEvery, @Range(min = 0) long checkpointEvery,
                      @Range(min = 1) int keepLast, boolean allowSkippedUpdates) {

        /** runs/, timestamped name, log every 20 steps, checkpoint at the end, keep 2. */
        public static Run defaults() {
            return new Run(Path.of("runs"), "", 20, 0, 2, false);
        }
    }

    /** The official ViT-B recipe on 224-px ImageNet through the d8 VAE. */
    public static PretrainConfig defaults() {
        return new PretrainConfig("vit_base_patch_vae", 28, 4, 2, 0.75, true, false,
                Data.defaults(), Optim.defaults(), Run.defaults());
    }
}
