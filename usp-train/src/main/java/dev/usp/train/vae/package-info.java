/**
 * Training a small KL autoencoder ({@link dev.usp.train.vae.VaeTrainer}, settings in
 * {@link dev.usp.train.vae.VaeTrainConfig}, {@code configs/fmnist/vae.yaml}): the VAE of the
 * Fashion-MNIST quickstart, trained with a reconstruction loss plus a small KL term and evaluated
 * by test PSNR ({@link dev.usp.train.vae.Psnr}). It lives here, not in usp-vae, because it uses
 * the shared training loop.
 */
package dev.usp.train.vae;
