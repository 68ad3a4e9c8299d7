package dev.usp.train.dit;

import dev.usp.core.config.OneOf;
import dev.usp.core.config.Range;
import dev.usp.models.dit.DiTModels;
import dev.usp.models.generation.GeneratorFamily;
import dev.usp.models.generation.GeneratorSpec;

import java.nio.file.Path;

/**
 * Everything a DiT or SiT training run needs (USP's {@code generation/DiT/train.py} and
 * {@code generation/SiT/train.py}), loaded from YAML by {@code ConfigLoader}. The defaults are the
 * official recipe: DiT-XL/2-VAE-simple on 32x32x4 latents, 1000 classes, batch 256, AdamW lr
 * 1e-4 with weight decay 0, EMA 0.9999, a log line every 100 steps, a checkpoint every 50K.
 *
 * @param model a {@link DiTModels} name; DiT-* trains with {@code objective: diffusion}, SiT-* with {@code transport}
 * @param objective {@code diffusion} (DiT: epsilon MSE + variational bound over 1000 steps) or
 *     {@code transport} (SiT: linear-interpolant velocity MSE)
 * @param numClasses class labels 0..numClasses-1; the label table has one more row, the null class
 * @param latentSize latent side (32 for 256px through the d8 VAE)
 * @param latentChannels latent channels
 * @param classDropout label dropout for classifier-free guidance (inside the model, training mode only)
 * @param latentCache folder of a latent cache ({@code LatentCacheWriter}): the training data
 * @param batchSize images per optimiser step
 * @param steps optimiser steps of the whole run
 * @param lr AdamW learning rate (constant)
 * @param weightDecay AdamW weight decay
 * @param emaDecay EMA decay per step; the EMA starts as an exact copy of the model
 * @param respacing diffusion respacing for training; "" keeps all 1000 steps (the official choice)
 * @param finetune an MAE/USP pretraining checkpoint to initialise from, or null for random init
 * @param usePretrainLayer load only blocks below this index from {@code finetune}; -1 loads all
 * @param allowPartial accept a {@code finetune} checkpoint that leaves tensors an MAE encoder provides at
 *     their init (a shallower MAE, say); false: that is an error (a transfer that loads nothing always is)
 * @param resizePosEmbed resize the {@code finetune} checkpoint's position table bicubically when its grid
 *     differs (14x14 from 224px pretraining into a 256px model); false: a grid mismatch is an error
 * @param checkpointEvery steps between checkpoints (one is always written after the last step)
 * @param logEvery steps per metrics line
 * @param sampleEvery steps between preview grids of EMA samples; 0 turns them off
 * @param sampleCount images in a preview grid
 * @param sampleSteps steps of the preview sampler (DDPM respacing for DiT, Heun ODE grid for SiT)
 * @param vae VAE weights to decode previews with, or null to show the first latent channels
 * @param vaePreset the VAE architecture preset of {@code vae} ({@code sd}, {@code fmnist-d4}, ...)
 * @param runRoot folder that holds run folders
 * @param runName the run folder's name under {@code runRoot}; null or "" for a time stamp
 * @param seed the run seed: data order, flips, noise and timesteps of step s derive from (seed, s)
 * @param allowSkippedUpdates skip (and count in {@code metrics.jsonl}) an update whose gradient norm is not finite while
 *     its loss is, instead of stopping the run; false (default): such a gradient is a bug to find
 */
public record GeneratorTrainConfig(
        String model,
        @OneOf({"diffusion", "transport"}) String objective,
        @Range(min = 1) int numClasses,
        @Range(min = 1) int latentSize,
        @Range(min = 1) int latentChannels,
        @Range(min = 0, max = 0.999) double classDropout,
        Path latentCache,
        @Range(min = 1) int batchSize,
        @Range(min = 0) long steps,
        @Range(min = 0) double lr,
        @Range(min = 0) double weightDecay,
        @Range(min = 0, max = 1) double emaDecay,
        String respacing,
        Path finetune,
        @Range(min = -1) int usePretrainLayer,
        boolean allowPartial,
        boolean resizePosEmbed,
        @Range(min = 0) long checkpointEvery,
        @Range(min = 1) long logEvery,
        @Range(min = 0) long sampleEvery,
        @Range(min = 1) int sampleCount,
        @Range(min = 1) int sampleSteps,
        Path vae,
        String vaePreset,
        Path runRoot,
        String runName,
        long seed,
        boolean allowSkippedUpdates) {

    /** Checks that the model name is known and fits the objective (a null objective follows the model). */
    public GeneratorTrainConfig {
        DiTModels.config(model);
        if (objective == null) {
            objective = GeneratorFamily.of(model).objective();
        }
        GeneratorFamily.checkObjective(model, objective);
        if (respacing == null) {
            respacing = "";
        }
    }

    /** The official DiT-XL/2 recipe (USP's VAE-simple blocks); the data folder must be set. */
    public static GeneratorTrainConfig defaults() {
        return new GeneratorTrainConfig("DiT-XL/2-VAE-simple", "diffusion", 1000, 32, 4, 0.1,
                null, 256, 400_000, 1e-4, 0.0, 0.9999, "", null, -1, false, false,
                50_000, 100, 0, 16, 250, null, "sd", Path.of("runs"), null, 0, false);
    }

    /** The generator this run trains: its network, family (DiT or SiT) and latent shape. */
    public GeneratorSpec generator() {
        return new GeneratorSpec(model, numClasses, latentSize, latentChannels, classDropout);
    }

    /** A copy with another run seed (the command line's {@code --seed}). */
    public GeneratorTrainConfig withSeed(long value) {
        return new GeneratorTrainConfig(model, objective, numClasses, latentSize, latentChannels, classDropout,
                latentCache, batchSize, steps, lr, weightDecay, emaDecay, respacing, finetune, usePretrainLayer,
                allowPartial, resizePosEmbed, checkpointEvery, logEvery, sampleEvery, sampleCount, sampleSteps, vae,
                vaePreset, runRoot, runName, value, allowSkippedUpdates);
    }

    /** A copy initialised from another pretraining checkpoint and block count (the command line's {@code --finetune}). */
    public GeneratorTrainConfig withFinetune(Path file, int layers) {
        return withFinetune(file, layers, allowPartial, resizePosEmbed);
    }

    /** As {@link #withFinetune(Path, int)}, with the partial-transfer and resize permissions too. */
    public GeneratorTrainConfig withFinetune(Path file, int layers, boolean partial, boolean resize) {
        return new GeneratorTrainConfig(model, objective, numClasses, latentSize, latentChannels, classDropout,
                latentCache, batchSize, steps, lr, weightDecay, emaDecay, respacing, file, layers, partial, resize,
                checkpointEvery, logEvery, sampleEvery, sampleCount, sampleSteps, vae, vaePreset, runRoot, runName,
                seed, allowSkippedUpdates);
    }
}
