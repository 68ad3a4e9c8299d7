package dev.usp.eval.evaluate;

/**
 * A batch of 8-bit images, row-major (N, H, W, C) as {@code usp sample} writes them to {@code arr_0}.
 *
 * @param nhwc     the pixel values (unsigned bytes), N * H * W * C of them
 * @param count    N
 * @param height   H
 * @param width    W
 * @param channels C (1 = grey, 3 = RGB)
 */
public record Images(byte[] nhwc, int count, int height, int width, int channels) {

    /** Checks the array holds N * H * W * C values. */
    public Images {
        if ((long) count * height * width * channels != nhwc.length) {
            throw new IllegalArgumentException(nhwc.length + " bytes are not " + count + " images of " + height + "x"
                    + width + "x" + channels);
        }
    }

    /**
     * The images as float values in [0, 255], (N, C', H, W) row-major, with grey images repeated
     * to {@code outChannels = 3} channels when asked (as StyleGAN's metrics do).
     */
    public float[] toNchw(int outChannels) {
        if (outChannels != channels && !(channels == 1 && outChannels == 3)) {
            throw new IllegalArgumentException("cannot turn " + channels + "-channel images into " + outChannels
                    + " channels");
        }
        int plane = height * width;
        float[] out = new float[count * outChannels * plane];
        for (int n = 0; n < count; n++) {
            for (int p = 0; p < plane; p++) {
                int src = (n * plane + p) * channels;
                for (int c = 0; c < outChannels; c++) {
                    out[(n * outChannels + c) * plane + p] = nhwc[src + (channels == 1 ? 0 : c)] & 0xff;
                }
            }
        }
        return out;
    }
}
