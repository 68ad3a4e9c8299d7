package dev.usp.eval.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A numpy array held in memory: a little-endian, C-order header and its raw data (at most 2 GB;
 * stream larger arrays with {@link NpzFile#batches}). Arrays read big-endian or Fortran-ordered
 * are converted on reading, so {@link #data()} is always little-endian C order.
 */
public final class NpyArray {

    private static final int MAX_BYTES = Integer.MAX_VALUE - 8;

    private final NpyHeader header;
    private final byte[] data;

    private NpyArray(NpyHeader header, byte[] data) {
        if (header.byteOrder() != ByteOrder.LITTLE_ENDIAN || header.fortranOrder()) {
            throw new IllegalArgumentException("NpyArray holds little-endian C-order data, not " + header);
        }
        if (header.byteSize() != data.length) {
            throw new IllegalArgumentException("shape " + header.shapeString() + " of " + header.dtype()
                    + " needs " + header.byteSize() + " bytes, got " + data.length);
        }
        this.header = header;
        this.data = data;
    }

    /** Wraps raw little-endian C-order bytes (not copied) as an array of the header's type and shape. */
    public static NpyArray wrap(NpyHeader header, byte[] data) {
        return new NpyArray(header, data);
    }

    /** A uint8 array, e.g. images in NHWC order (N, H, W, 3). */
    public static NpyArray ofUint8(byte[] data, long... shape) {
        return new NpyArray(NpyHeader.of(NpyDType.UINT8, shape), data.clone());
    }

    /** A float32 array; {@code data} in C order. */
    public static NpyArray of(float[] data, long... shape) {
        ByteBuffer b = allocate(NpyDType.FLOAT32, shape);
        b.asFloatBuffer().put(data);
        return new NpyArray(NpyHeader.of(NpyDType.FLOAT32, shape), b.array());
    }

    /** A float64 array; {@code data} in C order. */
    public static NpyArray of(double[] data, long... shape) {
        ByteBuffer b = allocate(NpyDType.FLOAT64, shape);
        b.asDoubleBuffer().put(data);
        return new NpyArray(NpyHeader.of(NpyDType.FLOAT64, shape), b.array());
    }

    /** An int64 array; {@code data} in C order. */
    public static NpyArray of(long[] data, long... shape) {
        ByteBuffer b = allocate(NpyDType.INT64, shape);
        b.asLongBuffer().put(data);
        return new NpyArray(NpyHeader.of(NpyDType.INT64, shape), b.array());
    }

    /** An int32 array; {@code data} in C order. */
    public static NpyArray of(int[] data, long... shape) {
        ByteBuffer b = allocate(NpyDType.INT32, shape);
        b.asIntBuffer().put(data);
        return new NpyArray(NpyHeader.of(NpyDType.INT32, shape), b.array());
    }

    private static ByteBuffer allocate(NpyDType dtype, long[] shape) {
        long bytes = NpyHeader.of(dtype, shape).byteSize();
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("array of " + bytes + " bytes is too large to hold in memory");
        }
        return ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    public NpyHeader header() {
        return header;
    }

    public NpyDType dtype() {
        return header.dtype();
    }

    public long[] shape() {
        return header.shape();
    }

    /** The raw little-endian C-order bytes (not a copy). */
    public byte[] data() {
        return data;
    }

    private ByteBuffer buffer() {
        return ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int count() {
        return (int) header.count();
    }

    /** All elements as doubles, in C order (uint8 read as 0..255). */
    public double[] toDoubleArray() {
        double[] out = new double[count()];
        ByteBuffer b = buffer();
        switch (dtype()) {
            case FLOAT64 -> b.asDoubleBuffer().get(out);
            case FLOAT32 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.getFloat(4 * i);
                }
            }
            default -> {
                long[] v = toLongArray();
                for (int i = 0; i < out.length; i++) {
                    out[i] = v[i];
                }
            }
        }
        return out;
    }

    /** All elements as floats, in C order (float64 rounded). */
    public float[] toFloatArray() {
        float[] out = new float[count()];
        if (dtype() == NpyDType.FLOAT32) {
            buffer().asFloatBuffer().get(out);
            return out;
        }
        double[] v = toDoubleArray();
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) v[i];
        }
        return out;
    }

    /** All elements of an integer array as longs, in C order (uint8 read as 0..255). */
    public long[] toLongArray() {
        long[] out = new long[count()];
        ByteBuffer b = buffer();
        switch (dtype()) {
            case UINT8 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = data[i] & 0xFF;
                }
            }
            case INT32 -> {
                for (int i = 0; i < out.length; i++) {
                    out[i] = b.getInt(4 * i);
                }
            }
            case INT64 -> b.asLongBuffer().get(out);
            default -> throw new IllegalStateException("toLongArray on a " + header + " array; use toDoubleArray");
        }
        return out;
    }

    /** Writes this array as a .npy file body (header and data), byte for byte what {@code np.save} writes. */
    public void write(OutputStream out) throws IOException {
        out.write(header.encode());
        out.write(data);
    }

    /**
     * Reads a whole .npy array from a stream.
     *
     * @param where names the file (and key) in error messages
     */
    public static NpyArray read(InputStream in, String where) throws IOException {
        return readData(in, NpyHeader.read(in, where), where);
    }

    /** Reads the data that follows header {@code h}, already read from {@code in}. */
    static NpyArray readData(InputStream in, NpyHeader h, String where) throws IOException {
        if (h.byteSize() > MAX_BYTES) {
            throw new IOException(where + ": " + h + " has " + h.byteSize()
                    + " bytes, too many to hold in memory; read it in batches (NpzFile.batches)");
        }
        byte[] raw = NpyHeader.readExactly(in, (int) h.byteSize(), where, "data of " + h);
        if (h.byteOrder() == ByteOrder.BIG_ENDIAN) {
            swapBytes(raw, h.dtype().size());
        }
        NpyHeader c = NpyHeader.of(h.dtype(), h.shape());
        return new NpyArray(c, h.fortranOrder() ? fortranToC(raw, h.shape(), h.dtype().size()) : raw);
    }

    /** Reverses the bytes of each element in place, turning big-endian data little-endian. */
    static void swapBytes(byte[] raw, int elementSize) {
        for (int e = 0; e + elementSize <= raw.length; e += elementSize) {
            for (int i = 0, j = elementSize - 1; i < j; i++, j--) {
                byte t = raw[e + i];
                raw[e + i] = raw[e + j];
                raw[e + j] = t;
            }
        }
    }

    // Element (i0, ..., i{n-1}) sits at sum(ik * prod(shape[0..k-1])) in column-major data.
    private static byte[] fortranToC(byte[] raw, long[] shape, int elementSize) {
        int n = shape.length;
        long[] fStride = new long[n];
        for (int k = 0; k < n; k++) {
            fStride[k] = k == 0 ? 1 : fStride[k - 1] * shape[k - 1];
        }
        byte[] out = new byte[raw.length];
        long[] idx = new long[n];
        int count = raw.length / elementSize;
        for (int c = 0; c < count; c++) {
            long f = 0;
            for (int k = 0; k < n; k++) {
                f += idx[k] * fStride[k];
            }
            System.arraycopy(raw, (int) f * elementSize, out, c * elementSize, elementSize);
            for (int k = n - 1; k >= 0 && ++idx[k] == shape[k]; k--) {
                idx[k] = 0;
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyArray a && a.header.equals(header) && Arrays.equals(a.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * header.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "NpyArray " + header;
    }
}
