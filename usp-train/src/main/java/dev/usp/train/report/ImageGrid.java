package dev.usp.train.report;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a batch of images as one PNG grid, like torchvision's
 * {@code save_image(x, nrow=nrow, normalize=True, value_range=(-1, 1))}: 2-pixel black padding,
 * values clamped to [-1, 1] and mapped to {@code floor(255 (x + 1) / 2 + 0.5)}.
 */
public final class ImageGrid {

    /** Padding between and around the images, in pixels (torchvision's default). */
    public static final int PADDING = 2;

    private ImageGrid() {
    }

    /**
     * Writes {@code images} (N, C, H, W) with C = 1 or 3 and values in [-1, 1] as a grid of
     * {@code nrow} images per row, atomically.
     */
    public static void write(NDArray images, int nrow, Path png) throws IOException {
        Charts.writePng(render(images, nrow), png);
    }

    /**
     * Draws the grid: {@code min(nrow, N)} columns, {@code ceil(N / columns)} rows; width
     * {@code columns (W + 2) + 2}, height {@code rows (H + 2) + 2}.
     *
     * @throws IllegalArgumentException naming the shape when it is not (N, 1|3, H, W) or nrow < 1
     */
    public static BufferedImage render(NDArray images, int nrow) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || (s.get(1) != 1 && s.get(1) != 3) || s.get(0) < 1 || nrow < 1) {
            throw new IllegalArgumentException("image grid needs (N, 1 or 3, H, W) images and nrow >= 1, got "
                    + s + " and nrow " + nrow);
        }
        int n = (int) s.get(0);
        int c = (int) s.get(1);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        float[] data;
        try (NDArray f = images.toType(DataType.FLOAT32, true)) {
            data = f.toFloatArray();
        }
        int cols = Math.min(nrow, n);
        int rows = (n + cols - 1) / cols;
        BufferedImage img = new BufferedImage(cols * (w + PADDING) + PADDING, rows * (h + PADDING) + PADDING,
                BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        for (int i = 0; i < n; i++) {
            int x0 = PADDING + (i % cols) * (w + PADDING);
            int y0 = PADDING + (i / cols) * (h + PADDING);
            int base = i * c * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = base + y * w + x;
                    int r = toByte(data[p]);
                    int g = c == 3 ? toByte(data[p + plane]) : r;
                    int b = c == 3 ? toByte(data[p + 2 * plane]) : r;
                    img.setRGB(x0 + x, y0 + y, (r << 16) | (g << 8) | b);
                }
            }
        }
        return img;
    }

    /** [-1, 1] -> 0..255 as torchvision: clamp, (x + 1) / 2, times 255, plus 0.5, truncate. */
    static int toByte(float v) {
        float x = Math.max(-1f, Math.min(1f, v));
        return (int) Math.min(255f, (x + 1f) / 2f * 255f + 0.5f);
    }
}
