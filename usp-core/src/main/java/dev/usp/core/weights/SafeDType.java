package dev.usp.core.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/** The safetensors dtype names, their sizes, and how each becomes an engine array. */
enum SafeDType {
    F64(8, DataType.FLOAT64), F32(4, DataType.FLOAT32), F16(2, DataType.FLOAT16), BF16(2, null),
    I64(8, DataType.INT64), I32(4, DataType.INT32), I16(2, null), I8(1, DataType.INT8),
    U8(1, DataType.UINT8), U16(2, null), U32(4, null), BOOL(1, DataType.BOOLEAN);

    final int bytes;
    private final DataType direct;

    SafeDType(int bytes, DataType direct) {
        this.bytes = bytes;
        this.direct = direct;
    }

    static SafeDType parse(String name, Path file, String key) throws IOException {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": tensor '" + key + "' has unsupported dtype " + name
                    + " (supported: F64 F32 F16 BF16 I64 I32 I16 I8 U8 U16 U32 BOOL)");
        }
    }

    static SafeDType of(DataType type, Path file, String key) throws IOException {
        for (SafeDType t : values()) {
            if (t.direct == type) {
                return t;
            }
        }
        throw new IOException(file + ": cannot write tensor '" + key + "' of type " + type);
    }

    /** Creates the array from little-endian bytes, upcasting the types the engine cannot hold. */
    NDArray toArray(ByteBuffer raw, Shape shape, NDManager manager) {
        if (direct != null) {
            return manager.create(raw, shape, direct);
        }
        int n = (int) shape.size();
        switch (this) {
            case BF16: {
                ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
                for (int i = 0; i < n; i++) {
                    out.putFloat(Float.intBitsToFloat((raw.getShort() & 0xffff) << 16));
                }
                return manager.create(out.flip(), shape, DataType.FLOAT32);
            }
            case I16:
            case U16: {
                ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
                for (int i = 0; i < n; i++) {
                    short s = raw.getShort();
                    out.putInt(this == I16 ? s : s & 0xffff);
                }
                return manager.create(out.flip(), shape, DataType.INT32);
            }
            case U32: {
                ByteBuffer out = ByteBuffer.allocateDirect(n * 8).order(ByteOrder.nativeOrder());
                for (int i = 0; i < n; i++) {
                    out.putLong(raw.getInt() & 0xffffffffL);
                }
                return manager.create(out.flip(), shape, DataType.INT64);
            }
            default:
                throw new IllegalStateException(name());
        }
    }
}
