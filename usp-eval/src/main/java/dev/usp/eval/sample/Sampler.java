package dev.usp.eval.sample;

import dev.usp.core.engine.NoAutograd;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.usp.models.dit.DiT;
import dev.usp.vae.LatentImages;
import dev.usp.models.generation.LatentSampler;
import dev.usp.models.generation.SamplerSettings;
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
     * @throws IllegalArgumentException when the scale factor is not finite and positive
     */
    public Sampler(DiT model, SamplerSettings settings, AutoencoderKL vae, double scaleFactor) {
        if (!(scaleFactor > 0) || Double.isInfinite(scaleFactor)) {
            throw new IllegalArgumentException("latent scale factor must be a finite number > 0, got " + scaleFactor);
        }
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
                NDArray latents = latents(labels, seeds, m);
                requireFinite(latents, "latents from the " + settings.method() + " sampler", start, n, job);
                NDArray images = LatentImages.decode(vae, latents, scaleFactor);
                requireFinite(images, vae == null ? "images" : "VAE-decoded images", start, n, job);
                long[] s = images.getShape().getShape();
                sink.accept(new Batch(start, labels, seeds, images, toUint8Nhwc(images),
                        (int) s[2], (int) s[3], (int) s[1]));
            }
        }
    }

    /**
     * Stops the run when a batch came out NaN or infinite (broken weights or settings), rather than
     * writing it as black images.
     */
    private void requireFinite(NDArray a, String what, int start, int n, SampleJob job) {
        long bad;
        try (NDArray nan = a.isNaN(); NDArray inf = a.isInfinite(); NDArray either = nan.logicalOr(inf);
             NDArray count = either.countNonzero()) {
            bad = count.getLong();
        }
        if (bad > 0) {
            int batches = (job.count() + job.batchSize() - 1) / job.batchSize();
            throw new IllegalStateException("batch " + (start / job.batchSize() + 1) + " of " + batches + " (samples "
                    + start + ".." + (start + n - 1) + ", seeds " + job.seed(start) + ".." + job.seed(start + n - 1)
                    + "): " + bad + " of " + a.size() + " " + what + " are NaN or infinite (" + settings.method() + ", "
                    + settings.steps() + " steps, cfg scale " + settings.cfgScale() + ", scale factor " + scaleFactor
                    + ")");
        }
    }

    /** Images (N, C, H, W) in [-1, 1] -> uint8 (N, H, W, C) bytes: clamp(127.5 x + 128, 0, 255), truncated. */
    public static byte[] toUint8Nhwc(NDArray images) {
        NDArray u8 = images.mul(127.5).add(128.0).clip(0, 255).toType(DataType.UINT8, false);
        return u8.transpose(0, 2, 3, 1).toByteArray();
    }
}
