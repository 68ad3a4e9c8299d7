/**
 * LDM KL autoencoders (the frozen VAE of USP, DiT and SiT): {@link dev.usp.vae.AutoencoderKL}
 * under LDM/CompVis tensor names, its posterior {@link dev.usp.vae.DiagonalGaussian}, presets in
 * {@link dev.usp.vae.VaeConfig}, weight loading from diffusers and LDM files in
 * {@code dev.usp.vae.weights}, and the latent cache in {@code dev.usp.vae.cache}.
 *
 * <p>Decisions: the GroupNorm group count is configurable (32 in every released VAE) so that test
 * models can be tiny; the small presets ({@code fmnist-tiny}, the quickstart default, and
 * {@code fmnist-d4} with 1 image channel, {@code cifar-d4} with 3) keep SD's 4 latent channels so
 * downstream models keep their shapes, and ship with scale factor 1 until trained, after which {@link dev.usp.vae.LatentScale#estimate} gives LDM's
 * 1 / std of latents. A trained VAE is stored as {@code vae.safetensors} plus a {@code vae.json}
 * sidecar ({@link dev.usp.vae.weights.VaeFiles}); {@code usp encode} ({@code dev.usp.vae.cli})
 * fills a latent cache from it.
 */
package dev.usp.vae;
