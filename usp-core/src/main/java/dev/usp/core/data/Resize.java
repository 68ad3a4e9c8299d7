package dev.usp.core.data;

import java.util.SplittableRandom;

/** Resizes to a fixed {@code width x height} with one of PIL's filters. */
public record Resize(int width, int height, Resample.Filter filter) implements Transform {

    @Override
    public Image apply(Image image, SplittableRandom rng) {
        return Resample.resize(image, width, height, filter);
    }
}
