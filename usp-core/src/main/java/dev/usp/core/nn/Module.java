package dev.usp.core.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.LoadReport;
import dev.usp.core.weights.StateDict;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Base of a small module tree whose tensor names are PyTorch's state-dict keys
 * ({@code blocks.0.attn.qkv.weight}), so that weights move between this project and PyTorch by
 * name alone.
 *
 * <p><b>Memory rule.</b> Parameters live in the module's manager (given at construction). A DJL
 * op's result belongs to the manager of its <em>first</em> operand, so in forward code the first
 * operand must always be an activation (or an array created from the activation's manager), and a
 * parameter only ever appears as a later operand: {@code x.add(posEmbed)}, never
 * {@code posEmbed.add(x)}. Then every temporary belongs to the caller's per-step manager and is
 * freed with it, and the module's manager never grows.
 */
public abstract class Module implements AutoCloseable {

    private final NDManager manager;
    private final Map<String, Parameter> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Creates a module whose parameters live in {@code manager}. */
    protected Module(NDManager manager) {
        this.manager = manager;
    }

    /** The manager that owns this module's parameters. */
    public NDManager manager() {
        return manager;
    }

    /** The device the parameters live on. */
    public Device device() {
        return manager.getDevice();
    }

    /** Registers a trainable parameter under a local name (PyTorch's {@code nn.Parameter}). */
    protected final Parameter addParameter(String name, NDArray value) {
        return add(name, value, Parameter.Kind.TRAINABLE);
    }

    /** Registers a parameter that is never trained, e.g. a fixed sin-cos position table. */
    protected final Parameter addFrozen(String name, NDArray value) {
        return add(name, value, Parameter.Kind.FROZEN);
    }

    /** Registers a persistent buffer: saved and loaded, but not a parameter. */
    protected final Parameter addBuffer(String name, NDArray value) {
        return add(name, value, Parameter.Kind.BUFFER);
    }

    private Parameter add(String name, NDArray value, Parameter.Kind kind) {
        checkFreeName(name);
        value.attach(manager);
        Parameter p = new Parameter(name, value, kind);
        params.put(name, p);
        return p;
    }

    /** Registers a child module under a local name and returns it. */
    protected final <M extends Module> M addModule(String name, M child) {
        checkFreeName(name);
        children.put(name, child);
        return child;
    }

    private void checkFreeName(String name) {
        if (params.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(
                    "name '" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    /** The direct children, in registration order. */
    public Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** This module's own tensors (not its children's), in registration order. */
    public Map<String, Parameter> ownParameters() {
        return Collections.unmodifiableMap(params);
    }

    /**
     * Every tensor of the tree under its full dotted name, in PyTorch's order: a module's own
     * tensors first, then each child's, depth first. Buffers are included.
     */
    public Map<String, Parameter> namedTensors() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            out.put(prefix + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, Module> e : children.entrySet()) {
            e.getValue().collect(prefix + e.getKey() + ".", out);
        }
    }

    /** Parameters (trainable and frozen, not buffers) under their full names: PyTorch's {@code named_parameters()}. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : namedTensors().entrySet()) {
            if (e.getValue().kind() != Parameter.Kind.BUFFER) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** Only the parameters an optimiser updates, under their full names. */
    public Map<String, Parameter> trainableParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : namedTensors().entrySet()) {
            if (e.getValue().isTrainable()) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** Number of parameter elements, frozen ones included, as {@code sum(p.numel() for p in m.parameters())}. */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : namedParameters().values()) {
            n += p.shape().size();
        }
        return n;
    }

    /** The state dict: a view of every tensor under its PyTorch key (nothing is copied). */
    public StateDict stateDict() {
        StateDict sd = new StateDict(getClass().getSimpleName(), null);
        for (Map.Entry<String, Parameter> e : namedTensors().entrySet()) {
            sd.put(e.getKey(), e.getValue().array());
        }
        return sd;
    }

    /**
     * Copies the tensors of {@code sd} into this module by name.
     *
     * @param strict when true, any missing, unexpected or mis-shaped key is an error
     * @return what was loaded, missing, unexpected and mismatched
     * @throws IllegalArgumentException in strict mode, listing every offending key with shapes
     */
    public LoadReport loadStateDict(StateDict sd, boolean strict) {
        LoadReport report = new LoadReport();
        Map<String, Parameter> mine = namedTensors();
        for (Map.Entry<String, Parameter> e : mine.entrySet()) {
            String key = e.getKey();
            if (!sd.contains(key)) {
                report.addMissing(key);
                continue;
            }
            NDArray src = sd.get(key);
            Parameter p = e.getValue();
            if (!src.getShape().equals(p.shape())) {
                report.addMismatched(key, p.shape().toString(), src.getShape().toString());
                continue;
            }
            p.assign(src);
            report.addLoaded(key);
        }
        for (String key : sd.keys()) {
            if (!mine.containsKey(key)) {
                report.addUnexpected(key);
            }
        }
        if (strict && !report.isClean()) {
            throw new IllegalArgumentException(
                    "cannot load " + sd.source() + " into " + getClass().getSimpleName() + ": " + report);
        }
        return report;
    }

    /** Sets training mode (drop path, dropout, label dropout) on this module and all children. */
    public Module train(boolean on) {
        training = on;
        for (Module c : children.values()) {
            c.train(on);
        }
        return this;
    }

    /** Shorthand for {@code train(false)}. */
    public Module eval() {
        return train(false);
    }

    /** True in training mode. */
    public boolean isTraining() {
        return training;
    }

    /** Applies {@code fn} to this module and every descendant, parents first (PyTorch's {@code apply}). */
    public void apply(Consumer<Module> fn) {
        fn.accept(this);
        for (Module c : children.values()) {
            c.apply(fn);
        }
    }

    /** All modules of the tree under their dotted names ("" for this one), parents first. */
    public List<Map.Entry<String, Module>> namedModules() {
        List<Map.Entry<String, Module>> out = new ArrayList<>();
        namedModules("", out);
        return out;
    }

    private void namedModules(String name, List<Map.Entry<String, Module>> out) {
        out.add(Map.entry(name, this));
        for (Map.Entry<String, Module> e : children.entrySet()) {
            e.getValue().namedModules(name.isEmpty() ? e.getKey() : name + "." + e.getKey(), out);
        }
    }

    /** Closes the parameters' manager; the module cannot be used afterwards. */
    @Override
    public void close() {
        manager.close();
    }
}
