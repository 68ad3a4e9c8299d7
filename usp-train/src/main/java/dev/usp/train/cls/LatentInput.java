package dev.usp.train.cls;

/**
 * Which latent of an image a classifier trains on. The official scripts encode every
 * (augmented) image with the VAE and take the posterior mean ({@code latent_dist.mean}) times the
 * scale factor, for training and evaluation alike.
 */
public enum LatentInput {
    /** The posterior mean (official). */
    MEAN,
    /** A fresh posterior sample per step (as generative training does). */
    SAMPLE
}
