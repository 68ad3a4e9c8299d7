package dev.usp.eval.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Consecutive slices along axis 0 of an array being read from a stream: shape
 * (min(batch, remaining), ...rest). {@link #next()} wraps read errors in {@link UncheckedIOException}.
 */
public final class NpyBatches implements Iterator<NpyArray>, AutoCloseable {

    private final InputStream in;
    private final NpyHeader header;
    private final int batchSize;
    private final String where;
    private final long rowBytes;
    private long remaining;

    NpyBatches(InputStream in, NpyHeader header, int batchSize, String where) throws IOException {
        if (header.rank() == 0 || header.fortranOrder()) {
            throw new IOException(where + ": cannot stream " + header + " in batches along axis 0;"
                    + " read it whole");
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.in = in;
        this.header = header;
        this.batchSize = batchSize;
        this.where = where;
        long[] shape = header.shape();
        this.remaining = shape[0];
        this.rowBytes = shape[0] == 0 ? 0 : header.byteSize() / shape[0];
        if (rowBytes * batchSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(where + ": batches of " + batchSize + " rows of " + rowBytes
                    + " bytes exceed 2 GB");
        }
    }

    /** The header of the whole array. */
    public NpyHeader header() {
        return header;
    }

    /** Rows along axis 0 not yet returned. */
    public long remaining() {
        return remaining;
    }

    @Override
    public boolean hasNext() {
        return remaining > 0;
    }

    @Override
    public NpyArray next() {
        if (remaining == 0) {
            throw new NoSuchElementException(where + ": no rows left");
        }
        int rows = (int) Math.min(batchSize, remaining);
        long[] shape = header.shape();
        shape[0] = rows;
        try {
            byte[] raw = NpyHeader.readExactly(in, (int) (rows * rowBytes), where,
                    "data (rows " + (header.shape()[0] - remaining) + "+" + rows + " of " + header + ")");
            if (header.byteOrder() == ByteOrder.BIG_ENDIAN) {
                NpyArray.swapBytes(raw, header.dtype().size());
            }
            remaining -= rows;
            return NpyArray.wrap(NpyHeader.of(header.dtype(), shape), raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
