package dev.usp.core.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Adds a constant border (torchvision's {@code Pad} with {@code padding_mode="constant"}), e.g.
 * {@code Pad.all(2)} turns 28x28 Fashion-MNIST into 32x32.
 */
public record Pad(int left, int top, int right, int bottom, int fill) implements Transform {

    /** Checks the amounts. */
    public Pad {
        if (left < 0 || top < 0 || right < 0 || bottom < 0 || fill < 0 || fill > 255) {
            throw new IllegalArgumentException("Pad(" + left + ", " + top + ", " + right + ", " + bottom
                    + ", fill " + fill + "): amounts must be >= 0 and fill in 0..255");
        }
    }

    /** The same zero border on every side. */
    public static Pad all(int padding) {
        return new Pad(padding, padding, padding, padding, 0);
    }

    @Override
    public Image apply(Image image, SplittableRandom rng) {
        int w = image.width() + left + right;
        int h = image.height() + top + bottom;
        int c = image.channels();
        byte[] dst = new byte[w * h * c];
        Arrays.fill(dst, (byte) fill);
        int rowLen = image.width() * c;
        for (int y = 0; y < image.height(); y++) {
            System.arraycopy(image.pixels(), y * rowLen, dst, ((y + top) * w + left) * c, rowLen);
        }
        return new Image(w, h, c, dst);
    }
}
