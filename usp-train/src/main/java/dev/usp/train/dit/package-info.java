/**
 * DiT/SiT training on cached VAE latents, as USP's {@code generation/{DiT,SiT}/train.py}:
 * {@link dev.usp.train.dit.GeneratorTrainConfig} (the YAML record, official defaults),
 * {@link dev.usp.train.dit.GeneratorTrainer#run} (MAE init, EMA, AdamW, checkpoints, resume,
 * preview grids, an optional metric at checkpoints), and the latent samplers the trainer and
 * {@code usp sample} share: {@link dev.usp.train.dit.LatentSampler} with
 * {@link dev.usp.train.dit.SamplerSettings} (DDPM, DDIM, ODE, SDE, classifier-free guidance,
 * per-sample seeds) and {@link dev.usp.train.dit.LatentImages}.
 */
package dev.usp.train.dit;
