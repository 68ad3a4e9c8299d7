package dev.usp.vae;

import dev.usp.core.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.nn.Conv2d;
import dev.usp.core.nn.Module;
import dev.usp.vae.nn.Decoder;
import dev.usp.vae.nn.Encoder;

/**
 * LDM's KL autoencoder under LDM/CompVis state-dict names: {@code encoder.*}, {@code decoder.*},
 * {@code quant_conv} (1x1, 2z -> 2z), {@code post_quant_conv} (1x1, z -> z). Images are NCHW in
 * [-1, 1]; weights from diffusers or LDM files load through {@link dev.usp.vae.weights.VaeWeights}.
 */
public final class AutoencoderKL extends Module {

    private final VaeConfig config;
    private final Encoder encoder;
    private final Decoder decoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;

    /** Creates a VAE with PyTorch's default initialisation in {@code manager}. */
    public AutoencoderKL(NDManager manager, VaeConfig config) {
        super(manager);
        if (!config.doubleZ()) {
            throw new IllegalArgumentException("AutoencoderKL needs double_z (mean and logvar): " + config);
        }
        this.config = config;
        int z = config.zChannels();
        encoder = addModule("encoder", new Encoder(manager, config));
        decoder = addModule("decoder", new Decoder(manager, config));
        quantConv = addModule("quant_conv", new Conv2d(manager, 2L * z, 2L * z, 1, 1, 0, true));
        postQuantConv = addModule("post_quant_conv", new Conv2d(manager, z, z, 1, 1, 0, true));
    }

    /** The configuration. */
    public VaeConfig config() {
        return config;
    }

    /** The scale factor: latents = sample * scale. */
    public double scaleFactor() {
        return config.scaleFactor();
    }

    /**
     * Encodes images (N, in_channels, H, W) in [-1, 1] into the posterior over (N, z, H/f, W/f).
     *
     * @throws IllegalArgumentException before any computation when the shape does not fit
     */
    public DiagonalGaussian encode(NDArray images) {
        checkImages(images.getShape());
        return DiagonalGaussian.fromMoments(quantConv.forward(encoder.forward(images)));
    }

    /** Decodes unscaled latents (N, z, h, w) into images (N, out_channels, h*f, w*f). */
    public NDArray decode(NDArray z) {
        checkLatents(z.getShape());
        return decoder.forward(postQuantConv.forward(z));
    }

    /** Scaled latents of the posterior's mean (pretraining's encoding): mean * scale. */
    public NDArray encodeMeanLatents(NDArray images) {
        return Scalars.mul(encode(images).mean(), config.scaleFactor());
    }

    /** Multiplies unscaled latents by the scale factor. */
    public NDArray scale(NDArray z) {
        return Scalars.mul(z, config.scaleFactor());
    }

    /** Decodes scaled latents: divides by the scale factor first. */
    public NDArray decodeLatents(NDArray latents) {
        return decode(Scalars.div(latents, config.scaleFactor()));
    }

    /**
     * Checks that images fit the encoder: 4-D, in_channels channels, height and width positive
     * multiples of the downsampling factor.
     *
     * @throws IllegalArgumentException naming the shape and what was expected
     */
    public void checkImages(Shape s) {
        int f = config.downsampling();
        if (s.dimension() != 4 || s.get(1) != config.inChannels() || s.get(2) <= 0 || s.get(3) <= 0
                || s.get(2) % f != 0 || s.get(3) % f != 0) {
            throw new IllegalArgumentException("images of shape " + s + " do not fit this VAE: expected (N, "
                    + config.inChannels() + ", H, W) with H and W multiples of the downsampling factor " + f);
        }
    }

    /**
     * Checks that latents fit the decoder: 4-D with z_channels channels.
     *
     * @throws IllegalArgumentException naming the shape and what was expected
     */
    public void checkLatents(Shape s) {
        if (s.dimension() != 4 || s.get(1) != config.zChannels() || s.get(2) <= 0 || s.get(3) <= 0) {
            throw new IllegalArgumentException("latents of shape " + s + " do not fit this VAE: expected (N, "
                    + config.zChannels() + ", h, w)");
        }
    }
}
