package dev.usp.core.weights;

import dev.usp.core.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The element types of safetensors files and torch.save storages: their sizes, PyTorch names,
 * and how each becomes an engine array (BF16 as F32, I16/U16 as I32, U32 as I64).
 */
enum SafeDType {
    F64(8, DataType.FLOAT64, "float64"), F32(4, DataType.FLOAT32, "float32"), F16(2, DataType.FLOAT16, "float16"),
    BF16(2, null, "bfloat16"), I64(8, DataType.INT64, "int64"), I32(4, DataType.INT32, "int32"),
    I16(2, null, "int16"), I8(1, DataType.INT8, "int8"), U8(1, DataType.UINT8, "uint8"), U16(2, null, "uint16"),
    U32(4, null, "uint32"), BOOL(1, DataType.BOOLEAN, "bool");

    final int bytes;
    final String torchName;
    private final DataType direct;

    SafeDType(int bytes, DataType direct, String torchName) {
        this.bytes = bytes;
        this.direct = direct;
        this.torchName = torchName;
    }

    /** The type of that safetensors name, or null when it is not one we read. */
    static SafeDType lookup(String name) {
        for (SafeDType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    static SafeDType parse(String name, Path file, String key) throws IOException {
        SafeDType t = lookup(name);
        if (t == null) {
            throw new IOException(file + ": tensor '" + key + "' has unsupported dtype " + name
                    + " (supported: F64 F32 F16 BF16 I64 I32 I16 I8 U8 U16 U32 BOOL)");
        }
        return t;
    }

    /** Bytes of the engine array this type becomes: wider than {@link #bytes} for upcast types. */
    int engineBytes() {
        return this == BF16 || this == I16 || this == U16 ? 4 : this == U32 ? 8 : bytes;
    }

    static SafeDType of(DataType type, Path file, String key) throws IOException {
        for (SafeDType t : values()) {
            if (t.direct == type) {
                return t;
            }
        }
        throw new IOException(file + ": cannot write tensor '" + key + "' of type " + type);
    }

    /**
     * Creates the array from little-endian bytes, upcasting the types the engine cannot hold.
     *
     * @throws IllegalArgumentException when the engine array would exceed 2 GB
     */
    NDArray toArray(ByteBuffer raw, Shape shape, NDManager manager) {
        if (shape.size() * engineBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a " + torchName + " tensor of shape " + shape
                    + " is larger than 2 GB, which one engine array cannot be created from");
        }
        raw.order(ByteOrder.LITTLE_ENDIAN);
        if (direct != null) {
            return own(manager, raw, shape, direct);
        }
        int n = (int) shape.size();
        switch (this) {
            case BF16: {
                ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
                for (int i = 0; i < n; i++) {
                    out.putFloat(Float.intBitsToFloat((raw.getShort() & 0xffff) << 16));
                }
                return own(manager, out.flip(), shape, DataType.FLOAT32);
            }
            case I16:
            case U16: {
                ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
                for (int i = 0; i < n; i++) {
                    short s = raw.getShort();
                    out.putInt(this == I16 ? s : s & 0xffff);
                }
                return own(manager, out.flip(), shape, DataType.INT32);
            }
            case U32: {
                ByteBuffer out = ByteBuffer.allocateDirect(n * 8).order(ByteOrder.nativeOrder());
                for (int i = 0; i < n; i++) {
                    out.putLong(raw.getInt() & 0xffffffffL);
                }
                return own(manager, out.flip(), shape, DataType.INT64);
            }
            default:
                throw new IllegalStateException(name());
        }
    }

    /**
     * Creates an array whose memory the engine owns ({@link HostArrays}). On the CPU the engine
     * would otherwise wrap the direct buffer itself, so every loaded tensor would count against the
     * JVM's direct-memory limit (-Xmx by default) until closed; a checkpoint larger than that limit
     * could not load.
     */
    private static NDArray own(NDManager manager, ByteBuffer data, Shape shape, DataType type) {
        return HostArrays.of(manager, data, shape, type);
    }
}
