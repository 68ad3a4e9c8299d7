package dev.usp.core.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST from its IDX files ({@code train-images-idx3-ubyte.gz} and friends, gzipped or
 * not): 60,000 training and 10,000 test images of 28x28 grey bytes, labels 0..9. Held in memory.
 */
public final class FashionMnist implements Dataset {

    /** Where Debian's {@code dataset-fashion-mnist} package puts the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Image side in pixels. */
    public static final int SIDE = 28;
    /** Class names, by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    /** The two halves of the data set, by file prefix. */
    public enum Split {
        /** 60,000 images. */
        TRAIN("train"),
        /** 10,000 images. */
        TEST("t10k");

        private final String prefix;

        Split(String prefix) {
            this.prefix = prefix;
        }
    }

    private final byte[] images;
    private final byte[] labels;

    private FashionMnist(byte[] images, byte[] labels) {
        this.images = images;
        this.labels = labels;
    }

    /**
     * Reads a split.
     *
     * @param dir the folder with the IDX files, or null for {@link #DEFAULT_DIR}
     * @throws IOException naming the file when it is missing, truncated or not an IDX file
     */
    public static FashionMnist load(Path dir, Split split) throws IOException {
        Path d = dir == null ? DEFAULT_DIR : dir;
        byte[] img = readIdx(find(d, split.prefix + "-images-idx3-ubyte"), IMAGES_MAGIC, 3);
        byte[] lab = readIdx(find(d, split.prefix + "-labels-idx1-ubyte"), LABELS_MAGIC, 1);
        int n = lab.length;
        if (img.length != n * SIDE * SIDE) {
            throw new IOException("Fashion-MNIST " + split + " in " + d + ": " + n + " labels but "
                    + img.length / (SIDE * SIDE) + " images");
        }
        for (int i = 0; i < n; i++) {
            if (lab[i] < 0 || lab[i] >= CLASSES.size()) {
                throw new IOException("Fashion-MNIST " + split + " in " + d + ": label " + lab[i] + " at " + i + " is not 0..9");
            }
        }
        return new FashionMnist(img, lab);
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public Sample get(int index) {
        return new Sample(image(index), label(index));
    }

    /** The 28x28 grey image at {@code index}. */
    public Image image(int index) {
        byte[] px = new byte[SIDE * SIDE];
        System.arraycopy(images, index * SIDE * SIDE, px, 0, px.length);
        return new Image(SIDE, SIDE, 1, px);
    }

    /** The label 0..9 at {@code index}. */
    public int label(int index) {
        return labels[index];
    }

    private static Path find(Path dir, String name) throws IOException {
        for (Path p : List.of(dir.resolve(name + ".gz"), dir.resolve(name))) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new IOException("Fashion-MNIST file " + name + ".gz not found in " + dir
                + ": install it with 'apt-get install dataset-fashion-mnist' or pass --data-dir <folder with the IDX files>");
    }

    /** The payload of an IDX file after checking its magic number and that its size matches its header. */
    private static byte[] readIdx(Path file, int magic, int dims) throws IOException {
        byte[] all;
        try (InputStream in = Files.newInputStream(file);
             InputStream s = file.toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in) {
            all = s.readAllBytes();
        }
        int header = 4 + 4 * dims;
        if (all.length < header) {
            throw new IOException(file + ": " + all.length + " bytes is too short for an IDX header");
        }
        ByteBuffer b = ByteBuffer.wrap(all);
        int found = b.getInt();
        if (found != magic) {
            throw new IOException(file + ": magic number 0x" + Integer.toHexString(found) + ", expected 0x"
                    + Integer.toHexString(magic) + " (IDX unsigned bytes, " + dims + " dims)");
        }
        long count = 1;
        StringBuilder shape = new StringBuilder();
        for (int i = 0; i < dims; i++) {
            int d = b.getInt();
            if (i > 0 && d != SIDE) {
                throw new IOException(file + ": image side " + d + ", expected " + SIDE);
            }
            count *= d;
            shape.append(i == 0 ? "" : "x").append(d);
        }
        if (all.length - header != count) {
            throw new IOException(file + ": header says " + shape + " = " + count + " bytes, file has "
                    + (all.length - header) + " after the header");
        }
        byte[] out = new byte[(int) count];
        System.arraycopy(all, header, out, 0, out.length);
        return out;
    }
}
