/**
 * Data sets, image transforms and batching.
 *
 * <p>Images are 8-bit {@link dev.usp.core.data.Image}s (HWC bytes), transformed as torchvision
 * transforms PIL images: {@link dev.usp.core.data.Resample} reproduces PIL's resampling bit for
 * bit, so {@link dev.usp.core.data.RandomResizedCrop} and {@link dev.usp.core.data.AdmCenterCrop}
 * give the same pixels as the official pipelines for the same crop box. Randomness comes from a
 * per-sample stream ({@link dev.usp.core.engine.Seeds#derive}), so a {@link dev.usp.core.data.DataLoader}
 * yields the same batches with any number of threads.
 */
package dev.usp.core.data;
