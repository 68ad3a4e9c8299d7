package dev.usp.core.data;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;

/**
 * Decodes image files (PNG, JPEG, BMP, GIF: whatever ImageIO reads) after checking the pixel
 * count in the file's header, so that a small file claiming a huge image is refused before its
 * pixels are allocated.
 */
public final class ImageFiles {

    /** The JVM property that raises or lowers {@link #DEFAULT_MAX_PIXELS}. */
    public static final String MAX_PIXELS_PROPERTY = "usp.limits.imagePixels";

    /**
     * The default limit on width x height: 2^26 = 67,108,864 pixels (8192 x 8192), about 270 MB
     * decoded as ARGB; the data sets here are 28 to 512 pixels on a side.
     */
    public static final long DEFAULT_MAX_PIXELS = 1L << 26;

    private ImageFiles() {
    }

    /** The limit in force: {@value #MAX_PIXELS_PROPERTY} when set, else {@link #DEFAULT_MAX_PIXELS}. */
    public static long maxPixels() {
        String value = System.getProperty(MAX_PIXELS_PROPERTY);
        if (value == null) {
            return DEFAULT_MAX_PIXELS;
        }
        try {
            long limit = Long.parseLong(value.trim());
            if (limit > 0) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("bad JVM property " + MAX_PIXELS_PROPERTY + "='" + value
                + "': expected a positive pixel count, e.g. " + DEFAULT_MAX_PIXELS);
    }

    /**
     * Reads the first image of {@code file} under the limit of {@link #maxPixels()}.
     *
     * @throws IOException naming the file when it is missing, not an image, corrupt, or larger than the limit
     */
    public static BufferedImage read(Path file) throws IOException {
        return read(file, maxPixels());
    }

    /** {@link #read(Path)} with an explicit limit on width x height. */
    public static BufferedImage read(Path file, long maxPixels) throws IOException {
        try (ImageInputStream in = open(file)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException("not an image file ImageIO can read (PNG, JPEG, BMP, GIF): " + file);
            }
            ImageReader reader = readers.next();
            try {
                int width;
                int height;
                try {
                    reader.setInput(in, true, true);
                    width = reader.getWidth(0);
                    height = reader.getHeight(0);
                } catch (IOException | RuntimeException e) {
                    throw decodeError(file, e);
                }
                checkSize(file, width, height, maxPixels);
                try {
                    return reader.read(0);
                } catch (IOException | RuntimeException e) {
                    throw decodeError(file, e);
                }
            } finally {
                reader.dispose();
            }
        }
    }

    private static ImageInputStream open(Path file) throws IOException {
        try {
            return new FileImageInputStream(file.toFile());
        } catch (FileNotFoundException e) {
            throw new IOException("cannot open image file " + e.getMessage(), e);
        }
    }

    /** Decoders throw IIOException, and unchecked exceptions on some corrupt files. */
    private static IOException decodeError(Path file, Exception e) {
        return new IOException("cannot decode image file " + file + ": " + e.getMessage(), e);
    }

    private static void checkSize(Path file, int width, int height, long maxPixels) throws IOException {
        long pixels = (long) width * height;
        if (width <= 0 || height <= 0) {
            throw new IOException("image file " + file + " claims a size of " + width + " x " + height);
        }
        if (pixels > maxPixels) {
            throw new IOException(String.format(Locale.ROOT, "image file %s is %d x %d = %,d pixels, over the limit of "
                    + "%,d; raise it with the JVM property %s (e.g. USP_JAVA_OPTS=\"-Xmx8g -D%s=%d\")", file, width,
                    height, pixels, maxPixels, MAX_PIXELS_PROPERTY, MAX_PIXELS_PROPERTY, pixels));
        }
    }
}
