package dev.usp.core.data;

import java.util.SplittableRandom;

/**
 * Mirrors the image left-right with probability {@code p} (torchvision's
 * {@code RandomHorizontalFlip}; one draw from the sample's stream per image).
 */
public record HorizontalFlip(double p) implements Transform {

    /** Checks the probability. */
    public HorizontalFlip {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("flip probability must be in [0, 1], got " + p);
        }
    }

    @Override
    public Image apply(Image image, SplittableRandom rng) {
        return rng.nextDouble() < p ? flip(image) : image;
    }

    /** The mirror image. */
    public static Image flip(Image image) {
        int w = image.width();
        int c = image.channels();
        byte[] src = image.pixels();
        byte[] dst = new byte[src.length];
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(src, (y * w + x) * c, dst, (y * w + (w - 1 - x)) * c, c);
            }
        }
        return new Image(w, image.height(), c, dst);
    }
}
