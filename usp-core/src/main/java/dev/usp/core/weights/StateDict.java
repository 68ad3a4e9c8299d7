package dev.usp.core.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An ordered map from PyTorch-style dotted names ({@code blocks.0.attn.qkv.weight}) to tensors:
 * the one currency for weights across the project.
 *
 * <p>A state dict read from a file owns its arrays through its own {@link NDManager} and releases
 * them on {@link #close()}; one returned by {@code Module.stateDict()} only views the module's
 * arrays and closing it releases nothing. Every lookup error names the source and the key.
 */
public final class StateDict implements AutoCloseable {

    private final String source;
    private final NDManager owner;
    private final Map<String, NDArray> tensors = new LinkedHashMap<>();

    /**
     * Creates an empty state dict.
     *
     * @param source where the tensors come from (a file path or a model name), used in errors
     * @param owner the manager that owns the arrays and is closed with this dict, or null for a view
     */
    public StateDict(String source, NDManager owner) {
        this.source = source;
        this.owner = owner;
    }

    /** Where the tensors come from: a file path or a description, used in error messages. */
    public String source() {
        return source;
    }

    /** The manager that owns the arrays, or null when this dict is a view. */
    public NDManager owner() {
        return owner;
    }

    /**
     * Adds a tensor.
     *
     * @throws IllegalArgumentException when the name is already present
     */
    public StateDict put(String name, NDArray value) {
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "' in " + source);
        }
        tensors.put(name, value);
        return this;
    }

    /**
     * Returns the tensor of that name.
     *
     * @throws IllegalArgumentException naming the key and the source when it is absent
     */
    public NDArray get(String name) {
        NDArray value = tensors.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing key '" + name + "' in " + source);
        }
        return value;
    }

    /** True when a tensor of that name is present. */
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** Removes and returns the tensor of that name, or null. The caller then owns it. */
    public NDArray remove(String name) {
        return tensors.remove(name);
    }

    /** The names, in insertion order. */
    public Set<String> keys() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    /** The entries, in insertion order (read-only). */
    public Map<String, NDArray> asMap() {
        return Collections.unmodifiableMap(tensors);
    }

    /** Number of tensors. */
    public int size() {
        return tensors.size();
    }

    /** Total number of elements over all tensors. */
    public long numel() {
        long n = 0;
        for (NDArray a : tensors.values()) {
            n += a.getShape().size();
        }
        return n;
    }

    /**
     * A view of the entries whose names start with {@code prefix}, with the prefix removed
     * (e.g. {@code first_stage_model.}); the arrays are shared, the view owns nothing.
     */
    public StateDict stripPrefix(String prefix) {
        StateDict out = new StateDict(source + " [" + prefix + "*]", null);
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                out.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return out;
    }

    /** A view with the entries whose names pass the filter; the arrays are shared. */
    public StateDict filter(Predicate<String> keep) {
        StateDict out = new StateDict(source, null);
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            if (keep.test(e.getKey())) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** Releases the arrays when this dict owns them; a view releases nothing. */
    @Override
    public void close() {
        if (owner != null) {
            owner.close();
        }
    }

    @Override
    public String toString() {
        return "StateDict(" + source + ", " + tensors.size() + " tensors)";
    }
}
