/**
 * Transfer to understanding (USP-SPEC section 4): a ViT classifier on VAE latent caches,
 * fine-tuned end to end ({@link dev.usp.train.cls.ClassifierFinetune}, USP's
 * {@code main_finetune.py}) or linearly probed on a frozen encoder
 * ({@link dev.usp.train.cls.LinearProbe}, {@code main_linprobe.py}), each returning a
 * {@link dev.usp.train.cls.ClsResult} (best and final top-1/top-5 on the test cache).
 *
 * <p>What follows the official scripts: the latent of an image is the VAE posterior mean times
 * the scale factor ({@code latent_dist.mean}) in training and evaluation; the learning rate is
 * {@code blr * effective batch / 256}, warmed up linearly and cosine-decayed per step; the
 * fine-tune optimiser is AdamW over layer-wise lr-decay groups with mixup/cutmix, label smoothing
 * and drop path; the probe trains BatchNorm1d (no affine) + Linear with LARS; evaluation
 * reports timm's top-1/top-5 on every test image once per epoch, and the best checkpoint is kept.
 *
 * <p>Where a latent cache forces a deviation: the official scripts encode freshly augmented
 * images every step (fine-tune: RandAugment, random-resized crop, random erasing; probe:
 * random-resized crop and flip). A cache holds each image and its horizontal flip, so training
 * sees those two views (chosen at random per step), plus mixup/cutmix on latents when
 * fine-tuning. Evaluation matches (resize + centre crop, posterior mean, no flip).
 *
 * <p>Runs are a function of (seed, step): batches come from {@link dev.usp.train.cls.ClsBatches},
 * randomness from the per-step seeds of {@link dev.usp.train.loop.TrainingLoop}, so
 * {@code --resume} continues exactly.
 */
package dev.usp.train.cls;
