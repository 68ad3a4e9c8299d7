package dev.usp.core.data;

import java.util.SplittableRandom;

/**
 * The ADM/DiT centre crop ({@code center_crop_arr}): halve the image with PIL's BOX filter while
 * its short side is at least {@code 2 * size}, resize with bicubic so the short side is
 * {@code size} (sides rounded half to even, as Python's {@code round}), then cut the centre
 * {@code size x size}.
 *
 * @param size output side
 */
public record AdmCenterCrop(int size) implements Transform {

    /** Checks the size. */
    public AdmCenterCrop {
        if (size <= 0) {
            throw new IllegalArgumentException("AdmCenterCrop size must be positive, got " + size);
        }
    }

    @Override
    public Image apply(Image image, SplittableRandom rng) {
        Image img = image;
        while (Math.min(img.width(), img.height()) >= 2 * size) {
            img = Resample.resize(img, img.width() / 2, img.height() / 2, Resample.Filter.BOX);
        }
        double scale = (double) size / Math.min(img.width(), img.height());
        int w = (int) Math.rint(img.width() * scale);
        int h = (int) Math.rint(img.height() * scale);
        img = Resample.resize(img, w, h, Resample.Filter.BICUBIC);
        return img.crop((w - size) / 2, (h - size) / 2, size, size);
    }
}
