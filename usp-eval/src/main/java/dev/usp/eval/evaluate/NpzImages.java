package dev.usp.eval.evaluate;

import dev.usp.eval.io.NpyArray;
import dev.usp.eval.io.NpyBatches;
import dev.usp.eval.io.NpyDType;
import dev.usp.eval.io.NpyHeader;
import dev.usp.eval.io.NpzFile;

import java.io.IOException;
import java.nio.file.Path;

/** Images stored in an {@code .npz} as one uint8 array (N, H, W, C) with C 1 or 3, or (N, H, W) grey; streamed. */
final class NpzImages implements ImageSource {

    private final Path file;
    private final String key;
    private final int count;
    private final int height;
    private final int width;
    private final int channels;

    private NpzImages(Path file, String key, NpyHeader h) throws IOException {
        this.file = file;
        this.key = key;
        long[] s = h.shape();
        boolean shapeOk = (s.length == 4 && (s[3] == 1 || s[3] == 3)) || s.length == 3;
        if (h.dtype() != NpyDType.UINT8 || !shapeOk || s[0] > Integer.MAX_VALUE) {
            throw new IOException(file + " [" + key + "]: expected uint8 images (N, H, W, C) with C = 1 or 3, got "
                    + h);
        }
        this.count = (int) s[0];
        this.height = (int) s[1];
        this.width = (int) s[2];
        this.channels = s.length == 4 ? (int) s[3] : 1;
    }

    /** Checks that {@code key} of {@code file} holds images and reads its header. */
    static NpzImages open(Path file, String key) throws IOException {
        try (NpzFile npz = NpzFile.open(file)) {
            return new NpzImages(file, key, npz.header(key));
        }
    }

    @Override
    public String describe() {
        return file + " [" + key + "]";
    }

    @Override
    public int count() {
        return count;
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
        try (NpzFile npz = NpzFile.open(file); NpyBatches batches = npz.batches(key, batchSize)) {
            while (batches.hasNext()) {
                NpyArray b = batches.next();
                consumer.accept(new Images(b.data(), (int) b.shape()[0], height, width, channels));
            }
        }
    }
}
