package dev.usp.core.data;

import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomResizedCrop}: a random area fraction in {@code [scaleMin, scaleMax]}
 * and log-uniform aspect ratio in {@code [ratioMin, ratioMax]}, 10 attempts to fit, then a centre
 * crop clamped to the ratio range; the crop is resized to {@code size x size} with PIL's bicubic.
 *
 * @param size output side
 */
public record RandomResizedCrop(int size, double scaleMin, double scaleMax, double ratioMin, double ratioMax)
        implements Transform {

    /** A crop box: rows {@code [top, top + height)}, columns {@code [left, left + width)}. */
    public record Box(int top, int left, int height, int width) {
    }

    /** Checks the ranges. */
    public RandomResizedCrop {
        if (size <= 0 || !(0 < scaleMin && scaleMin <= scaleMax && scaleMax <= 1) || !(0 < ratioMin && ratioMin <= ratioMax)) {
            throw new IllegalArgumentException("RandomResizedCrop(size " + size + ", scale [" + scaleMin + ", " + scaleMax
                    + "], ratio [" + ratioMin + ", " + ratioMax + "]): need size > 0, 0 < scale min <= max <= 1, 0 < ratio min <= max");
        }
    }

    /** The MAE/USP pretraining crop: scale [0.2, 1], ratio [3/4, 4/3]. */
    public static RandomResizedCrop mae(int size) {
        return new RandomResizedCrop(size, 0.2, 1.0, 3.0 / 4.0, 4.0 / 3.0);
    }

    @Override
    public Image apply(Image image, SplittableRandom rng) {
        Box b = box(image.width(), image.height(), rng);
        Image crop = image.crop(b.left(), b.top(), b.width(), b.height());
        return Resample.resize(crop, size, size, Resample.Filter.BICUBIC);
    }

    /** torchvision's {@code get_params} for an image of {@code width x height}. */
    public Box box(int width, int height, SplittableRandom rng) {
        double area = (double) width * height;
        double logMin = Math.log(ratioMin);
        double logMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double targetArea = area * uniform(rng, scaleMin, scaleMax);
            double aspect = Math.exp(uniform(rng, logMin, logMax));
            int w = (int) Math.rint(Math.sqrt(targetArea * aspect));
            int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
            if (0 < w && w <= width && 0 < h && h <= height) {
                int top = rng.nextInt(height - h + 1);
                int left = rng.nextInt(width - w + 1);
                return new Box(top, left, h, w);
            }
        }
        return fallback(width, height);
    }

    /** The centre crop used when no random box fits: the whole image, clamped to the ratio range. */
    Box fallback(int width, int height) {
        double inRatio = (double) width / height;
        int w = width;
        int h = height;
        if (inRatio < ratioMin) {
            h = (int) Math.rint(w / ratioMin);
        } else if (inRatio > ratioMax) {
            w = (int) Math.rint(h * ratioMax);
        }
        return new Box((height - h) / 2, (width - w) / 2, h, w);
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }
}
