package dev.usp.core.data;

import java.util.SplittableRandom;

/**
 * Converts to 1 or 3 channels as PIL's {@code convert}: grey to RGB copies the grey value;
 * RGB to grey is {@code (19595 R + 38470 G + 7471 B + 2^15) >> 16} (ITU-R 601-2 luma).
 */
public record ToChannels(int channels) implements Transform {

    /** Checks the count. */
    public ToChannels {
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("ToChannels supports 1 or 3 channels, got " + channels);
        }
    }

    @Override
    public Image apply(Image image, SplittableRandom rng) {
        if (image.channels() == channels) {
            return image;
        }
        int n = image.width() * image.height();
        byte[] src = image.pixels();
        byte[] dst = new byte[n * channels];
        for (int i = 0; i < n; i++) {
            if (channels == 3) {
                dst[3 * i] = src[i];
                dst[3 * i + 1] = src[i];
                dst[3 * i + 2] = src[i];
            } else {
                int r = src[3 * i] & 0xFF;
                int g = src[3 * i + 1] & 0xFF;
                int b = src[3 * i + 2] & 0xFF;
                dst[i] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
            }
        }
        return new Image(image.width(), image.height(), channels, dst);
    }
}
