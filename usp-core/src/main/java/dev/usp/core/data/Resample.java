package dev.usp.core.data;

/**
 * PIL's {@code Image.resize} for 8-bit images, bit for bit: a separable convolution whose kernel
 * is stretched by the scale factor when shrinking (anti-aliasing), with PIL's 22-bit fixed-point
 * weights and rounding; the horizontal pass runs first and is rounded to 8 bits before the
 * vertical one. torchvision's {@code Resize}/{@code RandomResizedCrop} on PIL images use this.
 */
public final class Resample {

    /** PIL's resampling filters. */
    public enum Filter {
        /** Mean over the covered pixels ({@code Image.BOX}). */
        BOX(0.5),
        /** Cubic convolution with a = -0.5 ({@code Image.BICUBIC}). */
        BICUBIC(2.0);

        private final double support;

        Filter(double support) {
            this.support = support;
        }

        double weight(double x) {
            if (this == BOX) {
                return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
            }
            final double a = -0.5;
            double t = Math.abs(x);
            if (t < 1.0) {
                return ((a + 2.0) * t - (a + 3.0)) * t * t + 1;
            }
            if (t < 2.0) {
                return (((t - 5) * t + 8) * t - 4) * a;
            }
            return 0.0;
        }
    }

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private Resample() {
    }

    /** The image resized to {@code width x height} with {@code filter}. */
    public static Image resize(Image in, int width, int height, Filter filter) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("resize to " + width + "x" + height + ": sides must be positive");
        }
        Image out = in;
        if (width != in.width()) {
            out = horizontal(out, width, filter);
        }
        if (height != in.height()) {
            out = vertical(out, height, filter);
        }
        return out == in ? new Image(in.width(), in.height(), in.channels(), in.pixels().clone()) : out;
    }

    /** One output position's input window {@code [start, start + count)} and fixed-point weights. */
    private record Kernel(int[] start, int[] count, int[] weights, int size) {
    }

    private static Kernel kernel(int inSize, int outSize, Filter filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support * filterScale;
        double invScale = 1.0 / filterScale;
        int size = (int) Math.ceil(support) * 2 + 1;
        int[] start = new int[outSize];
        int[] count = new int[outSize];
        int[] weights = new int[outSize * size];
        double[] k = new double[size];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            int xmin = Math.max(0, (int) (center - support + 0.5));
            int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
            double sum = 0;
            for (int x = 0; x < xmax; x++) {
                k[x] = filter.weight((x + xmin - center + 0.5) * invScale);
                sum += k[x];
            }
            for (int x = 0; x < xmax; x++) {
                double w = sum != 0.0 ? k[x] / sum : k[x];
                weights[xx * size + x] = (int) (w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
            }
            start[xx] = xmin;
            count[xx] = xmax;
        }
        return new Kernel(start, count, weights, size);
    }

    private static Image horizontal(Image in, int outW, Filter filter) {
        Kernel k = kernel(in.width(), outW, filter);
        int c = in.channels();
        int h = in.height();
        byte[] src = in.pixels();
        byte[] dst = new byte[outW * h * c];
        for (int y = 0; y < h; y++) {
            int row = y * in.width() * c;
            for (int xx = 0; xx < outW; xx++) {
                for (int ch = 0; ch < c; ch++) {
                    int acc = 1 << (PRECISION_BITS - 1);
                    for (int x = 0; x < k.count[xx]; x++) {
                        acc += (src[row + (k.start[xx] + x) * c + ch] & 0xFF) * k.weights[xx * k.size + x];
                    }
                    dst[(y * outW + xx) * c + ch] = clip8(acc);
                }
            }
        }
        return new Image(outW, h, c, dst);
    }

    private static Image vertical(Image in, int outH, Filter filter) {
        Kernel k = kernel(in.height(), outH, filter);
        int c = in.channels();
        int rowLen = in.width() * c;
        byte[] src = in.pixels();
        byte[] dst = new byte[outH * rowLen];
        for (int yy = 0; yy < outH; yy++) {
            for (int i = 0; i < rowLen; i++) {
                int acc = 1 << (PRECISION_BITS - 1);
                for (int y = 0; y < k.count[yy]; y++) {
                    acc += (src[(k.start[yy] + y) * rowLen + i] & 0xFF) * k.weights[yy * k.size + y];
                }
                dst[yy * rowLen + i] = clip8(acc);
            }
        }
        return new Image(in.width(), outH, c, dst);
    }

    private static byte clip8(int acc) {
        return (byte) Math.min(255, Math.max(0, acc >> PRECISION_BITS));
    }
}
