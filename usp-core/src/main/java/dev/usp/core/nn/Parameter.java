package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.engine.Copies;

/**
 * A named tensor owned by a {@link Module}: PyTorch's {@code nn.Parameter} (trainable or frozen)
 * or a registered buffer.
 *
 * <p>The array always belongs to the owning module's manager. {@link #assign(NDArray)} replaces
 * its value with a copy of another array, keeping the shape, data type and gradient flag.
 */
public final class Parameter {

    /** What a tensor is to the module: a trained weight, a fixed weight, or a buffer. */
    public enum Kind {
        /** Updated by the optimiser ({@code requires_grad=True}). */
        TRAINABLE,
        /** A parameter that is never trained, such as a fixed sin-cos table; counted as a parameter. */
        FROZEN,
        /** Saved in the state dict but not a parameter, such as BatchNorm running statistics. */
        BUFFER
    }

    private final String name;
    private final Kind kind;
    private NDArray array;

    Parameter(String name, NDArray array, Kind kind) {
        this.name = name;
        this.kind = kind;
        this.array = array;
        array.setName(name);
        if (kind == Kind.TRAINABLE) {
            array.setRequiresGradient(true);
        }
    }

    /** The local name inside the owning module, e.g. {@code weight}. */
    public String name() {
        return name;
    }

    /** Whether this is a trainable, frozen or buffer tensor. */
    public Kind kind() {
        return kind;
    }

    /** True when the optimiser should update this tensor. */
    public boolean isTrainable() {
        return kind == Kind.TRAINABLE;
    }

    /** The current value; owned by the module, do not close. */
    public NDArray array() {
        return array;
    }

    /** The shape of the value. */
    public Shape shape() {
        return array.getShape();
    }

    /**
     * Replaces the value with a copy of {@code source} converted to this parameter's data type and
     * device. The shapes must be equal.
     *
     * @throws IllegalArgumentException naming both shapes when they differ
     */
    public void assign(NDArray source) {
        if (!source.getShape().equals(array.getShape())) {
            throw new IllegalArgumentException(
                    "shape mismatch for '" + name + "': expected " + array.getShape()
                            + ", got " + source.getShape());
        }
        // copy the detached value, as a copy taken while autograd records is no leaf
        try (NDArray detached = source.stopGradient()) {
            replace(Copies.of(detached, array.getDataType(), array.getDevice()));
        }
    }

    /**
     * Replaces the value with {@code value} itself (no copy), which must have the same shape;
     * the old value is closed. Optimisers use this for out-of-place updates.
     */
    public void replace(NDArray value) {
        if (!value.getShape().equals(array.getShape())) {
            throw new IllegalArgumentException(
                    "shape mismatch for '" + name + "': expected " + array.getShape()
                            + ", got " + value.getShape());
        }
        NDArray old = array;
        value.attach(old.getManager());
        value.setName(name);
        if (kind == Kind.TRAINABLE) {
            value.setRequiresGradient(true);
        }
        array = value;
        if (old != value) {
            old.close();
        }
    }
}
