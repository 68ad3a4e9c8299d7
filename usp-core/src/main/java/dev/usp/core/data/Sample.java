package dev.usp.core.data;

/** One decoded example: the image and its class index. */
public record Sample(Image image, int label) {
}
