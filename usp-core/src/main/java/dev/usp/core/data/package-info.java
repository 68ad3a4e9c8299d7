/**
 * Data sets and image transforms; the trainers batch them themselves (latent caches, image
 * pretraining), each as a function of (seed, step).
 *
 * <p>Images are 8-bit {@link dev.usp.core.data.Image}s (HWC bytes), transformed as torchvision
 * transforms PIL images: {@link dev.usp.core.data.Resample} reproduces PIL's resampling bit for
 * bit, so {@link dev.usp.core.data.RandomResizedCrop} and {@link dev.usp.core.data.AdmCenterCrop}
 * give the same pixels as the official pipelines for the same crop box. Randomness comes from a
 * per-sample stream ({@link dev.usp.core.engine.Seeds#derive}), so a sample's pixels do not depend
 * on the thread or the order it is read in.
 */
package dev.usp.core.data;
