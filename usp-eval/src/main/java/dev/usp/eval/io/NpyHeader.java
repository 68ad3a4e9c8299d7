package dev.usp.eval.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * The header of a .npy array: element type, byte order, memory order and shape.
 *
 * <p>{@link #encode()} writes exactly the bytes numpy 1.24 writes: magic {@code \x93NUMPY}, version
 * 1.0 (2.0 when the text does not fit 65535 bytes), the length, then the dict text
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}, spaces numpy keeps for
 * growing axis 0 ({@code 21 - len(repr(shape[0]))}), padding spaces and a newline so that the
 * data starts at a multiple of 64 bytes.
 */
public final class NpyHeader {

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final int MAX_HEADER_TEXT = 1 << 20;

    private final NpyDType dtype;
    private final ByteOrder byteOrder;
    private final boolean fortranOrder;
    private final long[] shape;

    private NpyHeader(NpyDType dtype, ByteOrder byteOrder, boolean fortranOrder, long[] shape) {
        this.dtype = dtype;
        this.byteOrder = byteOrder;
        this.fortranOrder = fortranOrder;
        this.shape = shape.clone();
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
        }
    }

    /** A little-endian C-order header, what {@code np.save} writes for a contiguous array. */
    public static NpyHeader of(NpyDType dtype, long... shape) {
        return new NpyHeader(dtype, ByteOrder.LITTLE_ENDIAN, false, shape);
    }

    public NpyDType dtype() {
        return dtype;
    }

    /** Byte order of the stored elements (little-endian unless the file says {@code >}). */
    public ByteOrder byteOrder() {
        return byteOrder;
    }

    /** Whether the data is stored column-major (numpy's {@code fortran_order}). */
    public boolean fortranOrder() {
        return fortranOrder;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Number of elements: the product of the shape (1 for a 0-d array). */
    public long count() {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    /** Bytes of data after the header. */
    public long byteSize() {
        return Math.multiplyExact(count(), dtype.size());
    }

    /** The shape as numpy prints it: {@code (2, 3)}, {@code (5,)}, {@code ()}. */
    public String shapeString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(shape.length == 1 ? ",)" : ")").toString();
    }

    /** The header bytes numpy writes for this header, ending with the newline before the data. */
    public byte[] encode() {
        String descr = dtype.size() == 1 ? dtype.descr()
                : (byteOrder == ByteOrder.BIG_ENDIAN ? ">" : "<") + dtype.descr().substring(1);
        StringBuilder text = new StringBuilder()
                .append("{'descr': '").append(descr).append("', 'fortran_order': ")
                .append(fortranOrder ? "True" : "False").append(", 'shape': ").append(shapeString()).append(", }");
        if (shape.length > 0) {
            long growthAxis = shape[fortranOrder ? shape.length - 1 : 0];
            text.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Long.toString(growthAxis).length()));
        }
        byte[] body = text.toString().getBytes(StandardCharsets.US_ASCII);
        int lengthBytes = 2;
        int total = paddedLength(body.length, lengthBytes);
        if (total - MAGIC.length - 2 - lengthBytes > 0xFFFF) {
            lengthBytes = 4;
            total = paddedLength(body.length, lengthBytes);
        }
        int headerLen = total - MAGIC.length - 2 - lengthBytes;
        byte[] out = new byte[total];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        out[6] = (byte) (lengthBytes == 2 ? 1 : 2);
        out[7] = 0;
        for (int i = 0; i < lengthBytes; i++) {
            out[8 + i] = (byte) (headerLen >>> (8 * i));
        }
        int start = 8 + lengthBytes;
        System.arraycopy(body, 0, out, start, body.length);
        Arrays.fill(out, start + body.length, total - 1, (byte) ' ');
        out[total - 1] = '\n';
        return out;
    }

    // numpy: padlen = 64 - ((magic + length field + text + newline) % 64), so 64 when already aligned.
    private static int paddedLength(int textLength, int lengthBytes) {
        int unpadded = MAGIC.length + 2 + lengthBytes + textLength + 1;
        return unpadded + ALIGN - unpadded % ALIGN;
    }

    /**
     * Reads a header (versions 1.0, 2.0 and 3.0) from the start of a .npy stream, leaving the
     * stream at the first data byte.
     *
     * @param where names the file (and array) in error messages
     */
    public static NpyHeader read(InputStream in, String where) throws IOException {
        byte[] prefix = readExactly(in, 8, where, "magic");
        for (int i = 0; i < MAGIC.length; i++) {
            if (prefix[i] != MAGIC[i]) {
                throw new IOException(where + ": not a .npy array (bad magic)");
            }
        }
        int major = prefix[6];
        int lengthBytes = switch (major) {
            case 1 -> 2;
            case 2, 3 -> 4;
            default -> throw new IOException(where + ": unsupported .npy version " + major + "." + prefix[7]);
        };
        byte[] len = readExactly(in, lengthBytes, where, "header length");
        long headerLen = 0;
        for (int i = lengthBytes - 1; i >= 0; i--) {
            headerLen = (headerLen << 8) | (len[i] & 0xFF);
        }
        if (headerLen > MAX_HEADER_TEXT) {
            throw new IOException(where + ": .npy header of " + headerLen + " bytes is implausibly large");
        }
        byte[] text = readExactly(in, (int) headerLen, where, "header");
        String dict = new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        return fromDict(dict, where);
    }

    private static NpyHeader fromDict(String text, String where) throws IOException {
        Map<String, Object> d = new PyLiteralParser(text, where).parseDict();
        if (!(d.get("descr") instanceof String descr) || !(d.get("fortran_order") instanceof Boolean fortran)
                || !(d.get("shape") instanceof long[] shape) || d.size() != 3) {
            throw new IOException(where + ": .npy header needs exactly 'descr' (a string), 'fortran_order' (a bool)"
                    + " and 'shape' (a tuple of ints), got " + text.strip());
        }
        if (descr.length() < 2) {
            throw new IOException(where + ": unsupported dtype '" + descr + "'");
        }
        char order = descr.charAt(0);
        NpyDType dtype = NpyDType.ofKindAndSize(descr.substring(1));
        if (dtype == null || "<>|=".indexOf(order) < 0) {
            throw new IOException(where + ": unsupported dtype '" + descr
                    + "' (supported: uint8, int32, int64, float32, float64)");
        }
        ByteOrder bo = order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        return new NpyHeader(dtype, bo, fortran, shape);
    }

    static byte[] readExactly(InputStream in, int n, String where, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException(where + ": truncated .npy " + what + " (expected " + n + " bytes, got " + b.length + ")");
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NpyHeader h && h.dtype == dtype && h.byteOrder.equals(byteOrder)
                && h.fortranOrder == fortranOrder && Arrays.equals(h.shape, shape);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Boolean.hashCode(fortranOrder)) + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return dtype.name().toLowerCase() + shapeString() + (fortranOrder ? " fortran-order" : "")
                + (byteOrder == ByteOrder.BIG_ENDIAN && dtype.size() > 1 ? " big-endian" : "");
    }
}
