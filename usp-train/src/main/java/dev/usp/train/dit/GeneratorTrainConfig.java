package dev.usp.train.dit;

import dev.usp.core.config.DataConfig;
import dev.usp.core.config.OneOf;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.config.Range;
import dev.usp.core.config.RunConfig;
import dev.usp.models.dit.DiTModels;
import dev.usp.models.generation.GeneratorFamily;
import dev.usp.models.generation.GeneratorSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a DiT or SiT training run needs (USP's {@code generation/DiT/train.py} and
 * {@code generation/SiT/train.py}), loaded from YAML by {@code ConfigLoader}. The defaults are the
 * official recipe: DiT-XL/2-VAE-simple on 32x32x4 latents, 1000 classes, batch 256, AdamW lr
 * 1e-4 with weight decay 0, EMA 0.9999, a log line every 100 steps, a checkpoint every 50K. The
 * {@code data:}, {@code optim:} and {@code run:} blocks and {@code seed} are the shared vocabulary
 * of {@code dev.usp.core.config}.
 *
 * @param model a {@link DiTModels} name; DiT-* trains with {@code objective: diffusion}, SiT-* with {@code transport}
 * @param objective {@code diffusion} (DiT: epsilon MSE + variational bound over 1000 steps) or
 *     {@code transport} (SiT: linear-interpolant velocity MSE)
 * @param numClasses class labels 0..numClasses-1; the label table has one more row, the null class
 * @param latentSize latent side (32 for 256px through the d8 VAE)
 * @param latentChannels latent channels
 * @param classDropout label dropout for classifier-free guidance (inside the model, training mode only)
 * @param data the training data: a latent cache ({@code source: cache}, {@code train}: a folder written by
 *     {@code LatentCacheWriter})
 * @param batchSize images per optimiser step
 * @param steps optimiser steps of the whole run
 * @param optim AdamW at a constant learning rate ({@code lr}, or {@code blr} scaled by the batch), no warm-up
 * @param emaDecay EMA decay per step; the EMA starts as an exact copy of the model
 * @param respacing diffusion respacing for training; "" keeps all 1000 steps (the official choice)
 * @param finetune an MAE/USP pretraining checkpoint to initialise from, or null for random init
 * @param usePretrainLayer load only blocks below this index from {@code finetune}; -1 loads all
 * @param allowPartial accept a {@code finetune} checkpoint that leaves tensors an MAE encoder provides at
 *     their init (a shallower MAE, say); false: that is an error (a transfer that loads nothing always is)
 * @param resizePosEmbed resize the {@code finetune} checkpoint's position table bicubically when its grid
 *     differs (14x14 from 224px pretraining into a 256px model); false: a grid mismatch is an error
 * @param sampleEvery steps between preview grids of EMA samples; 0 turns them off
 * @param sampleCount images in a preview grid
 * @param sampleSteps steps of the preview sampler (DDPM respacing for DiT, Heun ODE grid for SiT)
 * @param vae VAE weights to decode previews with, or null to show the first latent channels
 * @param vaePreset the VAE architecture preset of {@code vae} ({@code sd}, {@code fmnist-d4}, ...)
 * @param run run folder and bookkeeping
 * @param seed the run seed: data order, flips, noise and timesteps of step s derive from (seed, s)
 */
public record GeneratorTrainConfig(
        String model,
        @OneOf({"diffusion", "transport"}) String objective,
        @Range(min = 1) int numClasses,
        @Range(min = 1) int latentSize,
        @Range(min = 1) int latentChannels,
        @Range(min = 0, max = 0.999) double classDropout,
        DataConfig data,
        @Range(min = 1) int batchSize,
        @Range(min = 0) long steps,
        OptimConfig optim,
        @Range(min = 0, max = 1) double emaDecay,
        String respacing,
        Path finetune,
        @Range(min = -1) int usePretrainLayer,
        boolean allowPartial,
        boolean resizePosEmbed,
        @Range(min = 0) long sampleEvery,
        @Range(min = 1) int sampleCount,
        @Range(min = 1) int sampleSteps,
        Path vae,
        String vaePreset,
        RunConfig run,
        long seed) {

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
        data.require("train-dit/train-sit", "cache", false);
        optim.require("train-dit/train-sit", List.of("adamw"), List.of("constant"), false, false);
    }

    /** The official DiT-XL/2 recipe (USP's VAE-simple blocks); the data folder must be set. */
    public static GeneratorTrainConfig defaults() {
        return new GeneratorTrainConfig("DiT-XL/2-VAE-simple", "diffusion", 1000, 32, 4, 0.1,
                new DataConfig("cache", null, null, "fmnist", null, 0, 0), 256, 400_000,
                new OptimConfig("adamw", 1e-4, 0, 0, 0.0, 0.9, 0.999, 0, 0, "constant"), 0.9999, "", null, -1,
                false, false, 0, 16, 250, null, "sd", new RunConfig(Path.of("runs"), null, 100, 50_000, 2, false), 0);
    }

    /** The keys of the release before the shared {@code data:}/{@code optim:}/{@code run:} blocks, read with a warning. */
    public static Map<String, String> renamedKeys() {
        return Map.of("latent_cache", "data.train", "lr", "optim.lr", "weight_decay", "optim.weight_decay",
                "checkpoint_every", "run.checkpoint_every", "log_every", "run.log_every", "run_root", "run.dir",
                "run_name", "run.name", "allow_skipped_updates", "run.allow_skipped_updates");
    }

    /** The generator this run trains: its network, family (DiT or SiT) and latent shape. */
    public GeneratorSpec generator() {
        return new GeneratorSpec(model, numClasses, latentSize, latentChannels, classDropout);
    }

    /** The constant learning rate ({@code optim.lr}, or {@code optim.blr} scaled by the batch). */
    public double learningRate() {
        return optim.actualLr(batchSize);
    }

    /** A copy with another run seed (the command line's {@code --seed}). */
    public GeneratorTrainConfig withSeed(long value) {
        return new GeneratorTrainConfig(model, objective, numClasses, latentSize, latentChannels, classDropout,
                data, batchSize, steps, optim, emaDecay, respacing, finetune, usePretrainLayer, allowPartial,
                resizePosEmbed, sampleEvery, sampleCount, sampleSteps, vae, vaePreset, run, value);
    }

    /** A copy initialised from another pretraining checkpoint and block count (the command line's {@code --finetune}). */
    public GeneratorTrainConfig withFinetune(Path file, int layers) {
        return withFinetune(file, layers, allowPartial, resizePosEmbed);
    }

    /** As {@link #withFinetune(Path, int)}, with the partial-transfer and resize permissions too. */
    public GeneratorTrainConfig withFinetune(Path file, int layers, boolean partial, boolean resize) {
        return new GeneratorTrainConfig(model, objective, numClasses, latentSize, latentChannels, classDropout,
                data, batchSize, steps, optim, emaDecay, respacing, file, layers, partial, resize, sampleEvery,
                sampleCount, sampleSteps, vae, vaePreset, run, seed);
    }
}
