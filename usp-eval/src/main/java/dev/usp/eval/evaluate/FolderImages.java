package dev.usp.eval.evaluate;

import dev.usp.core.data.ImageFiles;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The PNG/JPEG files of a folder (not its subfolders) in name order. All must have the first
 * file's size; the set is grey (1 channel) when the first file is a grey image, else RGB (alpha
 * is dropped).
 */
final class FolderImages implements ImageSource {

    private final Path dir;
    private final List<Path> files;
    private final int height;
    private final int width;
    private final int channels;

    private FolderImages(Path dir, List<Path> files, BufferedImage first) {
        this.dir = dir;
        this.files = files;
        this.height = first.getHeight();
        this.width = first.getWidth();
        this.channels = first.getColorModel().getNumColorComponents() == 1 ? 1 : 3;
    }

    /** Lists the image files of {@code dir} and reads the first one's size. */
    static FolderImages open(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).filter(FolderImages::isImage).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IOException(dir + ": no .png, .jpg or .jpeg files");
        }
        return new FolderImages(dir, files, ImageFiles.read(files.get(0)));
    }

    private static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
    }

    @Override
    public String describe() {
        return dir + " (" + files.size() + " image files)";
    }

    @Override
    public int count() {
        return files.size();
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public void forEach(int batchSize, BatchConsumer consumer) throws IOException {
        int plane = height * width * channels;
        for (int from = 0; from < files.size(); from += batchSize) {
            int n = Math.min(batchSize, files.size() - from);
            byte[] data = new byte[n * plane];
            for (int i = 0; i < n; i++) {
                Path f = files.get(from + i);
                BufferedImage img = ImageFiles.read(f);
                if (img.getHeight() != height || img.getWidth() != width) {
                    throw new IOException(f + ": " + img.getWidth() + "x" + img.getHeight() + " differs from the first"
                            + " image's " + width + "x" + height);
                }
                pixels(img, data, i * plane);
            }
            consumer.accept(new Images(data, n, height, width, channels));
        }
    }

    /** Writes the image's pixels as (H, W, C) bytes at {@code offset}: grey from the raster, RGB from getRGB. */
    private void pixels(BufferedImage img, byte[] out, int offset) {
        boolean grey = img.getColorModel().getNumColorComponents() == 1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int o = offset + (y * width + x) * channels;
                if (channels == 1 && grey) {
                    out[o] = (byte) img.getRaster().getSample(x, y, 0);
                } else {
                    int rgb = img.getRGB(x, y);
                    int r = rgb >> 16 & 0xff;
                    int g = rgb >> 8 & 0xff;
                    int b = rgb & 0xff;
                    if (channels == 1) {
                        out[o] = (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
                    } else {
                        out[o] = (byte) r;
                        out[o + 1] = (byte) g;
                        out[o + 2] = (byte) b;
                    }
                }
            }
        }
    }
}
