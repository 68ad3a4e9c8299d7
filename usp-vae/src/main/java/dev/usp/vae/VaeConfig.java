package dev.usp.vae;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The shape of an LDM KL autoencoder (LDM's {@code ddconfig} plus the latent scale factor).
 *
 * @param ch base channel count
 * @param chMult channel multiplier per level; there are {@code chMult.size() - 1} downsamplings
 * @param numResBlocks residual blocks per encoder level (the decoder has one more per level)
 * @param encoderAttnResolutions feature-map sizes (relative to {@code resolution}) at which encoder
 *     levels get self-attention
 * @param decoderAttnResolutions the same for the decoder (LDM's KL-16 has attention in the encoder only)
 * @param zChannels latent channels
 * @param doubleZ whether the encoder outputs mean and log-variance (2 z channels)
 * @param inChannels image channels entering the encoder
 * @param outChannels image channels leaving the decoder
 * @param resolution the nominal image size that attention resolutions refer to
 * @param normGroups GroupNorm groups (32 in every released VAE; diffusers' {@code norm_num_groups})
 * @param scaleFactor latents = posterior sample * scaleFactor
 */
public record VaeConfig(int ch, List<Integer> chMult, int numResBlocks, Set<Integer> encoderAttnResolutions,
                        Set<Integer> decoderAttnResolutions, int zChannels, boolean doubleZ, int inChannels,
                        int outChannels, int resolution, int normGroups, double scaleFactor) {

    private static final Map<String, Supplier<VaeConfig>> PRESETS = Map.of(
            "sd", VaeConfig::sd,
            "d8", VaeConfig::sd,
            "kl16", VaeConfig::kl16,
            "d16", VaeConfig::kl16,
            "fmnist-d4", VaeConfig::fmnistD4,
            "fmnist-tiny", VaeConfig::fmnistTiny,
            "cifar-d4", VaeConfig::cifarD4);

    /** Validates and copies the lists. */
    public VaeConfig {
        chMult = List.copyOf(chMult);
        encoderAttnResolutions = Set.copyOf(encoderAttnResolutions);
        decoderAttnResolutions = Set.copyOf(decoderAttnResolutions);
        if (chMult.isEmpty() || ch <= 0 || numResBlocks <= 0 || zChannels <= 0 || inChannels <= 0
                || outChannels <= 0 || resolution <= 0 || normGroups <= 0 || !(scaleFactor > 0)) {
            throw new IllegalArgumentException("invalid VAE config: " + describe(ch, chMult, numResBlocks,
                    zChannels, inChannels, outChannels, resolution, normGroups, scaleFactor));
        }
        for (int m : chMult) {
            if (m <= 0 || (ch * m) % normGroups != 0) {
                throw new IllegalArgumentException("invalid VAE config: level width " + ch + "*" + m
                        + " is not a positive multiple of " + normGroups + " GroupNorm groups");
            }
        }
    }

    private static String describe(int ch, List<Integer> chMult, int res, int z, int in, int out, int size,
                                   int groups, double scale) {
        return String.format(Locale.ROOT, "ch %d, ch_mult %s, num_res_blocks %d, z_channels %d, in %d, out %d,"
                + " resolution %d, groups %d, scale %s", ch, chMult, res, z, in, out, size, groups, scale);
    }

    /** Stable Diffusion's VAE (sd-vae-ft-ema / -mse), downsampling 8: 256x256x3 -> 32x32x4. */
    public static VaeConfig sd() {
        return new VaeConfig(128, List.of(1, 2, 4, 4), 2, Set.of(), Set.of(), 4, true, 3, 3, 256, 32, 0.18215);
    }

    /**
     * The KL-16 VAE of the official code (LDM Encoder/Decoder defaults, {@code AutoencoderKL(16,
     * ch_mult=(1,1,2,2,4))}): downsampling 16, 16 latent channels, attention in the encoder's last
     * level (resolution 16) only; the decoder's default has none. 256x256x3 -> 16x16x16.
     */
    public static VaeConfig kl16() {
        return new VaeConfig(128, List.of(1, 1, 2, 2, 4), 2, Set.of(16), Set.of(), 16, true, 3, 3, 256, 32, 0.2325);
    }

    /**
     * A small VAE for 32x32 grayscale images (Fashion-MNIST), downsampling 4: 32x32x1 -> 8x8x4. The
     * latent has 4 channels like SD's, so downstream models keep their shapes. The scale factor is
     * 1 until the VAE is trained; then set it to {@link LatentScale#estimate} (1 / std of latents).
     */
    public static VaeConfig fmnistD4() {
        return new VaeConfig(64, List.of(1, 2, 2), 2, Set.of(), Set.of(), 4, true, 1, 1, 32, 32, 1.0);
    }

    /**
     * The default VAE of the Fashion-MNIST quickstart: the LDM architecture of {@link #fmnistD4()}
     * (downsampling 4, 32x32x1 -> 8x8x4, attention only in the middle blocks) made small enough to
     * train in minutes and encode hundreds of images per second on a laptop CPU: ch 16 with
     * ch_mult (1, 2, 4) (widths 16, 32, 64), one residual block per level, 8 GroupNorm groups.
     */
    public static VaeConfig fmnistTiny() {
        return new VaeConfig(16, List.of(1, 2, 4), 1, Set.of(), Set.of(), 4, true, 1, 1, 32, 8, 1.0);
    }

    /** As {@link #fmnistD4()} for 32x32 RGB images (CIFAR-10): 32x32x3 -> 8x8x4. */
    public static VaeConfig cifarD4() {
        return new VaeConfig(64, List.of(1, 2, 2), 2, Set.of(), Set.of(), 4, true, 3, 3, 32, 32, 1.0);
    }

    /**
     * The preset of that name: {@code sd} (alias {@code d8}), {@code kl16} (alias {@code d16}),
     * {@code fmnist-d4}, {@code fmnist-tiny}, {@code cifar-d4}.
     *
     * @throws IllegalArgumentException listing the known names
     */
    public static VaeConfig preset(String name) {
        Supplier<VaeConfig> s = PRESETS.get(name.toLowerCase(Locale.ROOT));
        if (s == null) {
            throw new IllegalArgumentException("unknown VAE preset '" + name + "'; known: "
                    + PRESETS.keySet().stream().sorted().toList());
        }
        return s.get();
    }

    /** The spatial downsampling factor, 2^(levels - 1). */
    public int downsampling() {
        return 1 << (chMult.size() - 1);
    }

    /** Number of resolution levels. */
    public int levels() {
        return chMult.size();
    }

    /** Channels of level {@code i}: ch * chMult[i]. */
    public long levelChannels(int i) {
        return (long) ch * chMult.get(i);
    }

    /** A copy with another scale factor, e.g. one estimated after training. */
    public VaeConfig withScaleFactor(double scale) {
        return new VaeConfig(ch, chMult, numResBlocks, encoderAttnResolutions, decoderAttnResolutions, zChannels,
                doubleZ, inChannels, outChannels, resolution, normGroups, scale);
    }

    @Override
    public String toString() {
        return "VaeConfig(" + describe(ch, chMult, numResBlocks, zChannels, inChannels, outChannels, resolution,
                normGroups, scaleFactor) + ", encoder attention at " + sorted(encoderAttnResolutions)
                + ", decoder attention at " + sorted(decoderAttnResolutions) + ", double_z " + doubleZ + ")";
    }

    /** Sorted, so that the text is the same in every JVM run (cache manifests store it). */
    private static List<Integer> sorted(Set<Integer> set) {
        return set.stream().sorted().toList();
    }
}
