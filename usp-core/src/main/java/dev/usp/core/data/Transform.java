package dev.usp.core.data;

import java.util.SplittableRandom;

/**
 * An image-to-image step of a data pipeline. Random transforms draw only from {@code rng}, the
 * sample's own stream, so the output depends on the seed and the sample, not on threads.
 */
@FunctionalInterface
public interface Transform {

    /** The transformed image; {@code image} is not modified. */
    Image apply(Image image, SplittableRandom rng);

    /** This transform, then {@code next}, sharing the sample's stream. */
    default Transform then(Transform next) {
        return (image, rng) -> next.apply(apply(image, rng), rng);
    }

    /** The transforms applied left to right. */
    static Transform compose(Transform... steps) {
        Transform t = identity();
        for (Transform s : steps) {
            t = t.then(s);
        }
        return t;
    }

    /** Returns the image unchanged. */
    static Transform identity() {
        return (image, rng) -> image;
    }
}
