package dev.usp.vae.nn;

import ai.djl.ndarray.NDManager;
import dev.usp.core.nn.Module;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** PyTorch's {@code nn.ModuleList}: children named {@code 0, 1, ...} in insertion order. */
public final class ModuleList<M extends Module> extends Module {

    private final List<M> items = new ArrayList<>();

    /** Creates an empty list. */
    public ModuleList(NDManager manager) {
        super(manager);
    }

    /** Appends a module under the next index. */
    public M add(M module) {
        addModule(Integer.toString(items.size()), module);
        items.add(module);
        return module;
    }

    /** The module at index {@code i}. */
    public M get(int i) {
        return items.get(i);
    }

    /** Number of modules. */
    public int size() {
        return items.size();
    }

    /** True when the list holds no module. */
    public boolean isEmpty() {
        return items.isEmpty();
    }

    /** The modules, read-only. */
    public List<M> items() {
        return Collections.unmodifiableList(items);
    }
}
