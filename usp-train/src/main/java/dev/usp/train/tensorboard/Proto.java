package dev.usp.train.tensorboard;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A protobuf message being encoded: fields appended in the order written, which for the event
 * messages is field-number order, as the official encoders write them. As in proto3, a scalar,
 * string or bytes field holding its default (0, bits 0, empty) is left out; an embedded message
 * is always written.
 */
final class Proto {

    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A {@code double} field (wire type 1, little-endian). */
    Proto fixed64(int field, double value) {
        long bits = Double.doubleToRawLongBits(value);
        if (bits == 0) {
            return this;
        }
        key(field, FIXED64);
        for (int i = 0; i < 8; i++) {
            out.write((int) (bits >>> (8 * i)));
        }
        return this;
    }

    /** A {@code float} field (wire type 5, little-endian). */
    Proto fixed32(int field, float value) {
        int bits = Float.floatToRawIntBits(value);
        if (bits == 0) {
            return this;
        }
        key(field, FIXED32);
        for (int i = 0; i < 4; i++) {
            out.write(bits >>> (8 * i));
        }
        return this;
    }

    /** An {@code int32}, {@code int64} or enum field (wire type 0); negative values take ten bytes, as in protobuf. */
    Proto varint(int field, long value) {
        if (value == 0) {
            return this;
        }
        key(field, VARINT);
        writeVarint(value);
        return this;
    }

    /** A {@code string} field, UTF-8. */
    Proto string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A {@code bytes} field. */
    Proto bytes(int field, byte[] value) {
        if (value.length == 0) {
            return this;
        }
        return lengthDelimited(field, value);
    }

    /** An embedded message field. */
    Proto message(int field, Proto value) {
        return lengthDelimited(field, value.toByteArray());
    }

    private Proto lengthDelimited(int field, byte[] value) {
        key(field, LENGTH_DELIMITED);
        writeVarint(value.length);
        out.write(value, 0, value.length);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void key(int field, int wireType) {
        writeVarint(((long) field << 3) | wireType);
    }

    private void writeVarint(long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
