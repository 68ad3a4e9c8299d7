package dev.usp.core.weights;

/**
 * One storage of a torch.save archive, as its persistent id names it: the entry {@code data/<key>},
 * the storage class (e.g. {@code torch.FloatStorage}) and its length in elements.
 *
 * @param key the entry name under the archive's {@code data/} folder
 * @param className the storage class, e.g. {@code torch.BFloat16Storage}
 * @param type the element type, or null when the class is not one we read (complex, quantized)
 * @param numel the storage length in elements
 */
record TorchStorage(String key, String className, SafeDType type, long numel) {

    /** The element type of a storage class such as {@code FloatStorage}, or null when unsupported. */
    static SafeDType typeOf(String storageClass) {
        switch (storageClass) {
            case "FloatStorage":
                return SafeDType.F32;
            case "DoubleStorage":
                return SafeDType.F64;
            case "HalfStorage":
                return SafeDType.F16;
            case "BFloat16Storage":
                return SafeDType.BF16;
            case "LongStorage":
                return SafeDType.I64;
            case "IntStorage":
                return SafeDType.I32;
            case "ShortStorage":
                return SafeDType.I16;
            case "CharStorage":
                return SafeDType.I8;
            case "ByteStorage":
            case "UntypedStorage":
                return SafeDType.U8;
            case "BoolStorage":
                return SafeDType.BOOL;
            default:
                return null;
        }
    }
}
