package dev.usp.eval.io;

import dev.usp.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes a numpy .npz file atomically (a crash leaves no partial file). Whole arrays are stored
 * uncompressed, as {@code np.savez} does; streamed arrays ({@link #stream}) are deflated at the
 * fastest level, as their checksum is unknown until the end. numpy and the ADM evaluator read both.
 *
 * <pre>{@code
 * NpzWriter.write(path, npz -> {
 *     try (NpyStream images = npz.stream(NpzFile.DEFAULT_KEY, NpyHeader.of(NpyDType.UINT8, n, 256, 256, 3))) {
 *         for (byte[] batch : batches) images.write(batch);   // NHWC rows
 *     }
 * });
 * }</pre>
 */
public final class NpzWriter {

    private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

    /** Fills a file with arrays. */
    @FunctionalInterface
    public interface Body {
        void write(NpzWriter npz) throws IOException;
    }

    private final ZipOutputStream zip;
    private final Path target;
    private final Set<String> keys = new HashSet<>();
    private NpyStream current;

    private NpzWriter(ZipOutputStream zip, Path target) {
        this.zip = zip;
        this.target = target;
    }

    /** Writes {@code target} with what {@code body} adds; on any failure the target is untouched. */
    public static void write(Path target, Body body) throws IOException {
        AtomicFiles.write(target, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            NpzWriter npz = new NpzWriter(zip, target);
            body.write(npz);
            if (npz.current != null && !npz.current.isClosed()) {
                throw new IOException(target + ": array stream '" + npz.current.key() + "' was not closed");
            }
            zip.finish();
        });
    }

    /** Writes the arrays of a map, in its iteration order, like {@code np.savez(path, **arrays)}. */
    public static void write(Path target, Map<String, NpyArray> arrays) throws IOException {
        write(target, npz -> {
            for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
                npz.put(e.getKey(), e.getValue());
            }
        });
    }

    /** Adds a whole array as the stored entry {@code <key>.npy}. */
    public void put(String key, NpyArray array) throws IOException {
        checkKey(key);
        byte[] header = array.header().encode();
        CRC32 crc = new CRC32();
        crc.update(header);
        crc.update(array.data());
        ZipEntry e = entry(key);
        e.setMethod(ZipEntry.STORED);
        e.setSize(header.length + (long) array.data().length);
        e.setCompressedSize(e.getSize());
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(header);
        zip.write(array.data());
        zip.closeEntry();
    }

    /**
     * Starts the deflated entry {@code <key>.npy} for an array whose data is written in parts, in
     * C order; close the stream before adding another array.
     */
    public NpyStream stream(String key, NpyHeader header) throws IOException {
        checkKey(key);
        if (header.fortranOrder() || header.byteOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalArgumentException(target + " [" + key + "]: write little-endian C-order arrays, not " + header);
        }
        zip.setMethod(ZipOutputStream.DEFLATED);
        zip.setLevel(Deflater.BEST_SPEED);
        zip.putNextEntry(entry(key));
        zip.write(header.encode());
        current = new NpyStream(zip, header, target + " [" + key + "]", key);
        return current;
    }

    /**
     * The entry of one array, dated 1980-01-01 (the zip format's first day) rather than now, so that
     * the same arrays give the same bytes on every run.
     */
    private static ZipEntry entry(String key) {
        ZipEntry e = new ZipEntry(key + ".npy");
        e.setTimeLocal(FIXED_TIME);
        return e;
    }

    private void checkKey(String key) {
        if (current != null && !current.isClosed()) {
            throw new IllegalStateException(target + ": close the stream of '" + current.key() + "' before adding '" + key + "'");
        }
        if (!keys.add(key)) {
            throw new IllegalArgumentException(target + ": duplicate key '" + key + "'");
        }
    }
}
