package dev.usp.eval.io;

import java.io.IOException;
import java.util.Arrays;
import java.util.zip.ZipOutputStream;

/**
 * The data of one .npz entry being written in parts (see {@link NpzWriter#stream}); closing it
 * checks that exactly the header's byte count was written.
 */
public final class NpyStream implements AutoCloseable {

    private final ZipOutputStream zip;
    private final NpyHeader header;
    private final String where;
    private final String key;
    private long remaining;
    private boolean closed;

    NpyStream(ZipOutputStream zip, NpyHeader header, String where, String key) {
        this.zip = zip;
        this.header = header;
        this.where = where;
        this.key = key;
        this.remaining = header.byteSize();
    }

    /** Writes raw little-endian C-order bytes (uint8 images: NHWC rows). */
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (closed) {
            throw new IllegalStateException(where + ": stream already closed");
        }
        if (length > remaining) {
            throw new IOException(where + ": " + length + " more bytes would exceed " + header + " ("
                    + remaining + " bytes left)");
        }
        zip.write(bytes, offset, length);
        remaining -= length;
    }

    public void write(byte[] bytes) throws IOException {
        write(bytes, 0, bytes.length);
    }

    /** Writes rows of the array: a slice along axis 0 with the same dtype and trailing shape. */
    public void write(NpyArray rows) throws IOException {
        long[] s = rows.shape();
        long[] h = header.shape();
        if (rows.dtype() != header.dtype() || s.length != h.length
                || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), Arrays.copyOfRange(h, 1, h.length))) {
            throw new IllegalArgumentException(where + ": rows " + rows.header() + " do not fit " + header);
        }
        write(rows.data());
    }

    /** Bytes still expected. */
    public long remainingBytes() {
        return remaining;
    }

    String key() {
        return key;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (remaining != 0) {
            throw new IOException(where + ": " + remaining + " bytes of " + header + " were never written");
        }
        zip.closeEntry();
    }
}
