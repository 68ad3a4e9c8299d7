package dev.usp.eval.sample;

import dev.usp.core.engine.NoAutograd;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.usp.models.dit.DiT;
import dev.usp.train.dit.LatentImages;
import dev.usp.train.dit.LatentSampler;
import dev.usp.train.dit.SamplerSettings;
import dev.usp.vae.AutoencoderKL;

import java.io.IOException;

/**
 * Draws class-conditional samples from a DiT/SiT in batches: latents by {@link LatentSampler}
 * (per-sample seeds), decoded by the VAE (latents divided by the scale factor), converted to
 * uint8 NHWC as the official {@code sample_ddp.py} does ({@code clamp(127.5 x + 128, 0, 255)},
 * truncated), and handed to a {@link Sink} batch by batch.
 */
@NoAutograd("sampling and image conversion: no gradient is ever taken")
public final class Sampler {

    /** One batch of results: samples {@code start .. start + labels.length - 1}. */
    public record Batch(int start, int[] labels, long[] seeds, NDArray images, byte[] uint8Nhwc,
                        int height, int width, int channels) {
    }

    /** Receives each batch (its arrays are freed after the call). */
    @FunctionalInterface
    public interface Sink {
        /** Consumes one batch. */
        void accept(Batch batch) throws IOException;
    }

    private final DiT model;
    private final SamplerSettings settings;
    private final AutoencoderKL vae;
    private final double scaleFactor;

    /**
     * @param model the network (eval mode)
     * @param vae the decoder, or null to emit the first latent channels (a rough look, not images)
     * @param scaleFactor what the latents were multiplied by in training (0.18215 for SD's VAE)
     */
    public Sampler(DiT model, SamplerSettings settings, AutoencoderKL vae, double scaleFactor) {
        this.model = model;
        this.settings = settings;
        this.vae = vae;
        this.scaleFactor = scaleFactor;
    }

    /** Latents (N, C, H, W) of the given labels and seeds, in {@code m}. */
    public NDArray latents(int[] labels, long[] seeds, NDManager m) {
        return LatentSampler.sample(model, settings, labels, seeds, m);
    }

    /** Runs the whole job, batch by batch, into {@code sink}. */
    public void run(SampleJob job, Sink sink) throws IOException {
        for (int start = 0; start < job.count(); start += job.batchSize()) {
            int n = Math.min(job.batchSize(), job.count() - start);
            int[] labels = new int[n];
            long[] seeds = new long[n];
            for (int j = 0; j < n; j++) {
                labels[j] = job.label(start + j);
                seeds[j] = job.seed(start + j);
            }
            try (NDManager m = model.manager().newSubManager()) {
                NDArray images = LatentImages.decode(vae, latents(labels, seeds, m), scaleFactor);
                long[] s = images.getShape().getShape();
                sink.accept(new Batch(start, labels, seeds, images, toUint8Nhwc(images),
                        (int) s[2], (int) s[3], (int) s[1]));
            }
        }
    }

    /** Images (N, C, H, W) in [-1, 1] -> uint8 (N, H, W, C) bytes: clamp(127.5 x + 128, 0, 255), truncated. */
    public static byte[] toUint8Nhwc(NDArray images) {
        NDArray u8 = images.mul(127.5).add(128.0).clip(0, 255).toType(DataType.UINT8, false);
        return u8.transpose(0, 2, 3, 1).toByteArray();
    }
}
