package dev.usp.core.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An 8-bit image with 1 (grey) or 3 (RGB) channels, stored row-major as {@code (H, W, C)} bytes:
 * the form PIL works on, so that transforms can round to 8 bits where torchvision does.
 */
public final class Image {

    private final int width;
    private final int height;
    private final int channels;
    private final byte[] pixels;

    /** Wraps {@code pixels} (H*W*C bytes, HWC order; not copied). */
    public Image(int width, int height, int channels, byte[] pixels) {
        if (width <= 0 || height <= 0 || (channels != 1 && channels != 3)) {
            throw new IllegalArgumentException("bad image size " + width + "x" + height + "x" + channels
                    + " (need positive sides and 1 or 3 channels)");
        }
        if (pixels.length != width * height * channels) {
            throw new IllegalArgumentException("image " + width + "x" + height + "x" + channels + " needs "
                    + width * height * channels + " bytes, got " + pixels.length);
        }
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.pixels = pixels;
    }

    /** Width in pixels. */
    public int width() {
        return width;
    }

    /** Height in pixels. */
    public int height() {
        return height;
    }

    /** 1 or 3. */
    public int channels() {
        return channels;
    }

    /** The HWC bytes (not a copy). */
    public byte[] pixels() {
        return pixels;
    }

    /** The value 0..255 at column x, row y, channel c. */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * channels + c] & 0xFF;
    }

    /** The rectangle {@code [left, left + w) x [top, top + h)}, which must lie inside the image. */
    public Image crop(int left, int top, int w, int h) {
        if (left < 0 || top < 0 || w <= 0 || h <= 0 || left + w > width || top + h > height) {
            throw new IllegalArgumentException("crop (left " + left + ", top " + top + ", " + w + "x" + h
                    + ") outside image " + width + "x" + height);
        }
        byte[] out = new byte[w * h * channels];
        for (int y = 0; y < h; y++) {
            System.arraycopy(pixels, ((top + y) * width + left) * channels, out, y * w * channels, w * channels);
        }
        return new Image(w, h, channels, out);
    }

    /**
     * Writes the image as float {@code (C, H, W)} in [-1, 1] at {@code offset}: torchvision's
     * {@code ToTensor} then {@code Normalize(0.5, 0.5)}, in float arithmetic.
     */
    public void toTensor(float[] dst, int offset) {
        int plane = width * height;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < channels; c++) {
                float v = (pixels[i * channels + c] & 0xFF) / 255f;
                dst[offset + c * plane + i] = (v - 0.5f) / 0.5f;
            }
        }
    }

    /**
     * Reads a PNG/JPEG/BMP with {@link ImageFiles#read} (pixel count limited): grey images keep
     * 1 channel, all others become RGB.
     */
    public static Image read(Path file) throws IOException {
        return fromBufferedImage(ImageFiles.read(file));
    }

    /**
     * Converts a decoded image. Grey images (with or without alpha) read their grey band directly
     * (as PIL does: Java's {@code getRGB} would apply a gamma conversion); an alpha channel is
     * dropped without blending, as PIL's {@code convert("RGB")} does.
     */
    public static Image fromBufferedImage(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        boolean grey = img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && !(img.getColorModel() instanceof IndexColorModel);
        if (grey) {
            Raster r = img.getRaster();
            int shift = Math.max(0, img.getColorModel().getComponentSize(0) - 8);
            byte[] out = new byte[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = (byte) (r.getSample(x, y, 0) >> shift);
                }
            }
            return new Image(w, h, 1, out);
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        byte[] out = new byte[w * h * 3];
        for (int i = 0; i < argb.length; i++) {
            out[3 * i] = (byte) (argb[i] >> 16);
            out[3 * i + 1] = (byte) (argb[i] >> 8);
            out[3 * i + 2] = (byte) argb[i];
        }
        return new Image(w, h, 3, out);
    }

    /** A {@code TYPE_BYTE_GRAY} or {@code TYPE_3BYTE_BGR} copy, e.g. for writing a PNG. */
    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height,
                channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
        int[] px = new int[width * height * channels];
        for (int i = 0; i < px.length; i++) {
            px[i] = pixels[i] & 0xFF;
        }
        img.getRaster().setPixels(0, 0, width, height, px);
        return img;
    }
}
