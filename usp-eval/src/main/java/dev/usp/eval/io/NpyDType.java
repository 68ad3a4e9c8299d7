package dev.usp.eval.io;

/** The numpy element types that .npy/.npz files here may hold. */
public enum NpyDType {
    UINT8('u', 1),
    INT32('i', 4),
    INT64('i', 8),
    FLOAT32('f', 4),
    FLOAT64('f', 8);

    private final char kind;
    private final int size;

    NpyDType(char kind, int size) {
        this.kind = kind;
        this.size = size;
    }

    /** Bytes per element. */
    public int size() {
        return size;
    }

    /** Whether the values are floating point. */
    public boolean isFloat() {
        return kind == 'f';
    }

    /** numpy's little-endian descriptor, as {@code np.save} writes it: {@code <f4}, {@code |u1}. */
    public String descr() {
        return (size == 1 ? "|" : "<") + kind + size;
    }

    /** The type of a descriptor without its byte-order character ({@code f4}, {@code u1}); null if unknown. */
    static NpyDType ofKindAndSize(String kindAndSize) {
        for (NpyDType t : values()) {
            if (kindAndSize.equals("" + t.kind + t.size)) {
                return t;
            }
        }
        return null;
    }
}
