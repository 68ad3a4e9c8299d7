package dev.usp.core.weights;

import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * A tensor of a torch.save checkpoint before its data is read: a view (offset, size, stride)
 * into one storage of the archive, as {@code torch._utils._rebuild_tensor_v2} describes it.
 * Several refs may view the same storage. Reading it is {@link TorchCheckpoint}'s job.
 */
public final class TensorRef {

    private final TorchStorage storage;
    private final long offset;
    private final Shape shape;
    private final long[] stride;

    TensorRef(TorchStorage storage, long offset, long[] size, long[] stride) {
        if (size.length != stride.length) {
            throw new IllegalArgumentException("tensor of storage '" + storage.key() + "' has size "
                    + Arrays.toString(size) + " but stride " + Arrays.toString(stride));
        }
        this.storage = storage;
        this.offset = offset;
        this.shape = new Shape(size);
        this.stride = stride.clone();
    }

    /** PyTorch's name of the stored element type (float32, bfloat16, int16...), or the storage class when unsupported. */
    public String dtype() {
        return storage.type() == null ? storage.className() : storage.type().torchName;
    }

    /** The tensor's shape. */
    public Shape shape() {
        return shape;
    }

    /** Strides in elements, one per dimension. */
    public long[] stride() {
        return stride.clone();
    }

    /** Offset of element [0, ..., 0] in the storage, in elements. */
    public long storageOffset() {
        return offset;
    }

    /** The storage's entry name under the archive's {@code data/} folder. */
    public String storageKey() {
        return storage.key();
    }

    /** True when the elements are laid out row-major without gaps (a transpose is not). */
    public boolean isContiguous() {
        long expected = 1;
        long[] dims = shape.getShape();
        for (int i = dims.length - 1; i >= 0; i--) {
            if (dims[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= dims[i];
        }
        return true;
    }

    /**
     * The number of elements.
     *
     * @throws ArithmeticException when a corrupt size overflows 64 bits
     */
    long numel() {
        long n = 1;
        for (long d : shape.getShape()) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    TorchStorage storage() {
        return storage;
    }

    /**
     * One past the highest storage element this view touches; {@link #storageOffset()} when empty.
     *
     * @throws ArithmeticException when a corrupt size or stride overflows 64 bits
     */
    long storageEnd() {
        long[] dims = shape.getShape();
        long last = offset;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 0) {
                return offset;
            }
            last = Math.addExact(last, Math.multiplyExact(dims[i] - 1, stride[i]));
        }
        return last + 1;
    }

    @Override
    public String toString() {
        return "TensorRef(" + dtype() + ", " + shape + ", stride " + Arrays.toString(stride) + ", storage '"
                + storage.key() + "' + " + offset + ")";
    }
}
