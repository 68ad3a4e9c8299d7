package dev.usp.train.vae;

import dev.usp.core.config.DataConfig;
import dev.usp.core.config.OneOf;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.config.Range;
import dev.usp.core.config.RunConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Settings of {@code usp train-vae}: a KL autoencoder trained on Fashion-MNIST padded to 32x32
 * with a reconstruction loss plus a small KL term (LDM's {@code LPIPSWithDiscriminator} without
 * LPIPS and GAN), Adam(W), linear warm-up ({@code optim.warmup_steps}) then a constant or cosine
 * learning rate ({@code optim.schedule}, cosine down to {@code optim.min_lr} at {@code steps}).
 *
 * @param preset VAE architecture ({@code VaeConfig.preset}); its {@code in_channels} must be 1
 * @param data Fashion-MNIST images ({@code source: images}, {@code dataset: fmnist}): {@code dir}, {@code limit}
 *     training images (0: all 60,000), {@code val_limit} test images for the PSNR (0: all 10,000)
 * @param run run folder and bookkeeping
 * @param optim AdamW (weight decay 0 is Adam), step warm-up, constant or cosine
 * @param seed the run seed
 * @param steps optimiser steps of the whole run; set it to what fits a time budget
 * @param batchSize images per step
 * @param gradClip clip the gradients' total L2 norm to this ({@code clip_grad_norm_}); 0 for none
 * @param loss reconstruction loss: {@code l1} (LDM) or {@code l2}, a mean over pixels
 * @param klWeight weight of KL / pixels per image (LDM's ratio: its 1e-6 multiplies the KL summed
 *     per image against the reconstruction summed per image)
 * @param maxMinutes stop (with a checkpoint) when training has run this long; 0 for no limit. A
 *     budget makes where the run stops depend on the machine's speed; the result says when it cut the run
 * @param scaleImages training images whose latents give the scale factor (1 / std)
 * @param evalBatchSize images per batch when evaluating and estimating the scale
 * @param gridImages images in the reconstruction grid (originals above reconstructions)
 */
public record VaeTrainConfig(String preset, DataConfig data, RunConfig run, OptimConfig optim, long seed,
                             @Range(min = 1) int steps, @Range(min = 1) int batchSize,
                             @Range(min = 0) double gradClip, @OneOf({"l1", "l2"}) String loss,
                             @Range(min = 0) double klWeight, @Range(min = 0) double maxMinutes,
                             @Range(min = 1) int scaleImages, @Range(min = 1) int evalBatchSize,
                             @Range(min = 1) int gridImages) {

    /** Refuses data, optimiser and schedule settings the VAE trainer does not implement. */
    public VaeTrainConfig {
        data.require("train-vae", "images", true);
        if (!"fmnist".equals(data.dataset())) {
            throw new IllegalArgumentException("train-vae reads data.dataset fmnist, not " + data.dataset());
        }
        optim.require("train-vae", List.of("adamw"), List.of("constant", "cosine"), false, true);
    }

    /**
     * The defaults: fmnist-tiny, 2000 steps of 32 images, lr 2e-3 (50 warm-up steps, cosine to 0),
     * Adam betas (0.9, 0.999), clip 1, L1 + 1e-6 KL, no time limit.
     */
    public static VaeTrainConfig defaults() {
        return new VaeTrainConfig("fmnist-tiny", DataConfig.images(),
                new RunConfig(Path.of("runs"), "vae-fmnist", 20, 500, 2, false),
                new OptimConfig("adamw", 2e-3, 0, 0.0, 0.0, 0.9, 0.999, 0, 50, "cosine"), 0,
                2000, 32, 1.0, "l1", 1e-6, 0.0, 4096, 500, 16);
    }

    /** The keys of the release before {@code run:}/{@code optim:}/{@code data:}, read with a warning. */
    public static Map<String, String> renamedKeys() {
        return Map.ofEntries(Map.entry("data_dir", "data.dir"), Map.entry("run_root", "run.dir"),
                Map.entry("run_name", "run.name"), Map.entry("lr", "optim.lr"),
                Map.entry("warmup_steps", "optim.warmup_steps"), Map.entry("lr_schedule", "optim.schedule"),
                Map.entry("min_lr", "optim.min_lr"), Map.entry("weight_decay", "optim.weight_decay"),
                Map.entry("beta1", "optim.beta1"), Map.entry("beta2", "optim.beta2"),
                Map.entry("log_every", "run.log_every"), Map.entry("checkpoint_every", "run.checkpoint_every"),
                Map.entry("allow_skipped_updates", "run.allow_skipped_updates"),
                Map.entry("train_limit", "data.limit"), Map.entry("test_limit", "data.val_limit"));
    }

    /** The peak learning rate ({@code optim.lr}, or {@code optim.blr} scaled by the batch). */
    public double peakLr() {
        return optim.actualLr(batchSize);
    }
}
