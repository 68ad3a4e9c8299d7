package dev.usp.train.vae;

import dev.usp.core.config.OneOf;
import dev.usp.core.config.Range;

import java.nio.file.Path;

/**
 * Settings of {@code usp train-vae}: a KL autoencoder trained on Fashion-MNIST padded to 32x32
 * with a reconstruction loss plus a small KL term (LDM's {@code LPIPSWithDiscriminator} without
 * LPIPS and GAN), Adam(W), linear warm-up then a constant or cosine learning rate.
 *
 * @param preset VAE architecture ({@code VaeConfig.preset}); its {@code in_channels} must be 1
 * @param dataDir Fashion-MNIST IDX folder, or null for {@code FashionMnist.DEFAULT_DIR}
 * @param runRoot folder of run folders
 * @param runName run folder name, or null for a timestamp
 * @param steps optimiser steps of the whole run
 * @param batchSize images per step
 * @param lr peak learning rate
 * @param warmupSteps linear warm-up from 0 over this many steps
 * @param lrSchedule after the warm-up: {@code constant}, or {@code cosine} (half cycle down to
 *     {@code minLr} at {@code steps}; set {@code steps} to what fits a time budget)
 * @param minLr the learning rate at the end of the cosine
 * @param weightDecay AdamW decoupled weight decay (0 = Adam)
 * @param beta1 Adam beta1
 * @param beta2 Adam beta2
 * @param gradClip clip the gradients' total L2 norm to this ({@code clip_grad_norm_}); 0 for none
 * @param loss reconstruction loss: {@code l1} (LDM) or {@code l2}, a mean over pixels
 * @param klWeight weight of KL / pixels per image (LDM's ratio: its 1e-6 multiplies the KL summed
 *     per image against the reconstruction summed per image)
 * @param logEvery metrics line every this many steps
 * @param checkpointEvery checkpoint every this many steps (and at the end)
 * @param maxMinutes stop (with a checkpoint) when training has run this long; 0 for no limit. A
 *     budget makes where the run stops depend on the machine's speed; the result says when it cut the run
 * @param trainLimit use only the first N training images; 0 for all 60,000
 * @param testLimit evaluate PSNR on the first N test images; 0 for all 10,000
 * @param scaleImages training images whose latents give the scale factor (1 / std)
 * @param evalBatchSize images per batch when evaluating and estimating the scale
 * @param gridImages images in the reconstruction grid (originals above reconstructions)
 * @param allowSkippedUpdates skip (and count in {@code metrics.jsonl}) an update whose gradient norm is not finite while
 *     its loss is, instead of stopping the run; false (default): such a gradient is a bug to find
 */
public record VaeTrainConfig(String preset, Path dataDir, Path runRoot, String runName,
                             @Range(min = 1) int steps, @Range(min = 1) int batchSize,
                             @Range(min = 0) double lr, @Range(min = 0) int warmupSteps,
                             @OneOf({"constant", "cosine"}) String lrSchedule, @Range(min = 0) double minLr,
                             @Range(min = 0) double weightDecay, @Range(min = 0, max = 1) double beta1,
                             @Range(min = 0, max = 1) double beta2, @Range(min = 0) double gradClip,
                             @OneOf({"l1", "l2"}) String loss,
                             @Range(min = 0) double klWeight, @Range(min = 1) int logEvery,
                             @Range(min = 0) int checkpointEvery, @Range(min = 0) double maxMinutes,
                             @Range(min = 0) int trainLimit, @Range(min = 0) int testLimit,
                             @Range(min = 1) int scaleImages, @Range(min = 1) int evalBatchSize,
                             @Range(min = 1) int gridImages, boolean allowSkippedUpdates) {

    /**
     * The defaults: fmnist-tiny, 2000 steps of 32 images, lr 2e-3 (50 warm-up steps, cosine to 0),
     * Adam betas (0.9, 0.999), clip 1, L1 + 1e-6 KL, no time limit.
     */
    public static VaeTrainConfig defaults() {
        return new VaeTrainConfig("fmnist-tiny", null, Path.of("runs"), "vae-fmnist", 2000, 32, 2e-3, 50, "cosine",
                0.0, 0.0, 0.9, 0.999, 1.0, "l1", 1e-6, 20, 500, 0.0, 0, 0, 4096, 500, 16, false);
    }
}
