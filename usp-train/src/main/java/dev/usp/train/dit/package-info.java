/**
 * DiT/SiT training on cached VAE latents, as USP's {@code generation/{DiT,SiT}/train.py}:
 * {@link dev.usp.train.dit.GeneratorTrainConfig} (the YAML record, official defaults) and
 * {@link dev.usp.train.dit.GeneratorTrainer#run} (MAE init, EMA, AdamW, checkpoints, resume,
 * preview grids, an optional metric at checkpoints). The diffusion and transport maths and the
 * samplers the trainer and {@code usp sample} share live in usp-models
 * ({@code dev.usp.models.generation}: {@code LatentSampler}, {@code SamplerSettings}); latents
 * become images through usp-vae's {@code LatentImages}.
 */
package dev.usp.train.dit;
