package dev.usp.train.optim;

import ai.djl.ndarray.types.Shape;
import dev.usp.core.engine.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.usp.core.engine.Copies;
import dev.usp.core.engine.Kernels;
import dev.usp.core.nn.Parameter;
import dev.usp.core.weights.StateDict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Base of the PyTorch-equal optimisers: updates parameters in place (outside autograd) from
 * their accumulated gradients, group by group, and keeps per-parameter state that exports to a
 * {@link StateDict} under {@code <param name>.<state name>}.
 *
 * <p>State arrays live in a sub-manager of the first parameter's manager, closed by
 * {@link #close()}. Every temporary of an update lives in a scratch manager per parameter.
 * A parameter that got no gradient has a zero gradient here (PyTorch would skip it).
 * Call {@link #step} and {@link #zeroGrad} outside a {@code GradientCollector}: in-place updates
 * of trainable leaves are refused while autograd records.
 */
public abstract class Optimizer implements AutoCloseable {

    private final Map<String, Parameter> params;
    private final List<ParamGroup> groups;
    private final NDManager stateManager;
    private final Map<String, Map<String, NDArray>> state = new LinkedHashMap<>();
    private final Map<String, Long> steps = new LinkedHashMap<>();

    /**
     * @param params the parameters by name (e.g. {@code model.trainableParameters()})
     * @param groups the groups; every name must be in {@code params} and in at most one group
     */
    protected Optimizer(Map<String, Parameter> params, List<ParamGroup> groups) {
        if (params.isEmpty()) {
            throw new IllegalArgumentException("optimiser got no parameters");
        }
        this.params = new LinkedHashMap<>(params);
        this.groups = List.copyOf(groups);
        Map<String, String> seen = new LinkedHashMap<>();
        for (ParamGroup g : groups) {
            for (String name : g.params()) {
                if (!params.containsKey(name)) {
                    throw new IllegalArgumentException("group '" + g.name() + "' names unknown parameter '" + name + "'");
                }
                String before = seen.put(name, g.name());
                if (before != null) {
                    throw new IllegalArgumentException("parameter '" + name + "' is in groups '" + before
                            + "' and '" + g.name() + "'");
                }
            }
        }
        this.stateManager = params.values().iterator().next().array().getManager().newSubManager();
    }

    /** The parameter groups. */
    public List<ParamGroup> groups() {
        return groups;
    }

    /** Number of updates applied to {@code name} so far. */
    public long stepCount(String name) {
        return steps.getOrDefault(name, 0L);
    }

    /**
     * Applies one update to every grouped parameter with the learning rate
     * {@code baseLr * group.lrScale()}.
     */
    public void step(double baseLr) {
        for (ParamGroup g : groups) {
            double lr = baseLr * g.lrScale();
            try (NDManager scratch = stateManager.newSubManager()) {
                List<NDArray> weights = new ArrayList<>();
                List<NDArray> grads = new ArrayList<>();
                List<Map<String, NDArray>> states = new ArrayList<>();
                long[] counts = new long[g.params().size()];
                for (String name : g.params()) {
                    NDArray w = params.get(name).array();
                    counts[weights.size()] = steps.merge(name, 1L, Long::sum);
                    Map<String, NDArray> s = state.computeIfAbsent(name, k -> initState(w, stateManager));
                    NDArray grad = w.getGradient();
                    grad.attach(scratch);
                    weights.add(w);
                    grads.add(grad);
                    states.add(s);
                }
                updateGroup(weights, grads, states, counts, lr, g.weightDecay(), scratch);
            }
        }
    }

    /**
     * Updates one group's parameters in place; by default {@link #update} for each, with its own
     * scratch manager. An optimiser with a multi-tensor kernel overrides this.
     *
     * @param steps each parameter's update count, starting at 1
     * @param scratch a manager closed after the call, for temporaries
     */
    protected void updateGroup(List<NDArray> weights, List<NDArray> grads, List<Map<String, NDArray>> states,
                               long[] steps, double lr, double weightDecay, NDManager scratch) {
        for (int i = 0; i < weights.size(); i++) {
            NDArray w = weights.get(i);
            Map<String, NDArray> s = states.get(i);
            try (NDManager each = scratch.newSubManager()) {
                NDArray grad = grads.get(i);
                grad.tempAttach(each);
                w.tempAttach(each);
                for (NDArray a : s.values()) {
                    a.tempAttach(each);
                }
                update(w, grad, s, steps[i], lr, weightDecay);
            }
        }
    }

    /** The total L2 norm of the grouped parameters' gradients. */
    public double gradNorm() {
        return GradClip.gradNorm(params);
    }

    /** Sets every grouped parameter's gradient to zero (it accumulates across backward calls). */
    public void zeroGrad() {
        zeroGrad(allNames());
    }

    /** Sets the gradients of the given parameters to zero. */
    public static void zeroGrad(Map<String, Parameter> params) {
        if (params.isEmpty()) {
            return;
        }
        if (Kernels.fused()) {
            // one _foreach_zero_ over every gradient, as PyTorch's zero_grad(set_to_none=False)
            try (NDManager scratch = params.values().iterator().next().array().getManager().newSubManager()) {
                List<NDArray> grads = new ArrayList<>();
                for (Parameter p : params.values()) {
                    if (p.isTrainable()) {
                        NDArray g = p.array().getGradient();
                        g.attach(scratch);
                        grads.add(g);
                    }
                }
                Kernels.zero(grads);
            }
            return;
        }
        List<String> names = new ArrayList<>(params.keySet());
        for (String name : names) {
            NDArray w = params.get(name).array();
            if (params.get(name).isTrainable()) {
                // The fill value becomes an array of the gradient's manager: keep both in a scratch one.
                try (NDManager scratch = w.getManager().newSubManager()) {
                    NDArray g = w.getGradient();
                    g.attach(scratch);
                    g.set(new NDIndex("..."), 0);
                }
            }
        }
    }

    private void zeroGrad(List<String> names) {
        Map<String, Parameter> grouped = new LinkedHashMap<>();
        for (String n : names) {
            grouped.put(n, params.get(n));
        }
        zeroGrad(grouped);
    }

    private List<String> allNames() {
        List<String> out = new ArrayList<>();
        for (ParamGroup g : groups) {
            out.addAll(g.params());
        }
        return out;
    }

    /** Creates the zero state of one parameter (e.g. exp_avg, exp_avg_sq) in {@code manager}. */
    protected abstract Map<String, NDArray> initState(NDArray param, NDManager manager);

    /**
     * Updates {@code param} in place. All arrays given are attached to one scratch manager for
     * the call: results of ops on them are freed afterwards; state must be updated in place.
     *
     * @param step this parameter's update count, starting at 1
     */
    protected abstract void update(NDArray param, NDArray grad, Map<String, NDArray> state,
                                   long step, double lr, double weightDecay);

    /**
     * A copy of the state: {@code <param>.step} (float32 scalar, as PyTorch 1.13 keeps it) and
     * each state tensor under {@code <param>.<name>}. The caller closes it.
     */
    public StateDict stateDict() {
        NDManager owner = stateManager.newSubManager();
        StateDict sd = new StateDict(getClass().getSimpleName() + " state", owner);
        for (Map.Entry<String, Map<String, NDArray>> e : state.entrySet()) {
            sd.put(e.getKey() + ".step", HostArrays.floats(owner, new float[] {stepCount(e.getKey())}, new Shape()));
            for (Map.Entry<String, NDArray> s : e.getValue().entrySet()) {
                NDArray copy = s.getValue().duplicate();
                copy.attach(owner);
                sd.put(e.getKey() + "." + s.getKey(), copy);
            }
        }
        return sd;
    }

    /**
     * Restores the state from {@link #stateDict()}'s layout; parameters without a
     * {@code <param>.step} entry start fresh.
     *
     * @throws IllegalArgumentException naming the key when a state tensor is missing or mis-shaped
     */
    public void loadStateDict(StateDict sd) {
        for (String name : allNames()) {
            if (!sd.contains(name + ".step")) {
                continue;
            }
            NDArray w = params.get(name).array();
            Map<String, NDArray> fresh = initState(w, stateManager);
            for (Map.Entry<String, NDArray> s : fresh.entrySet()) {
                String key = name + "." + s.getKey();
                NDArray src = sd.get(key);
                if (!src.getShape().equals(s.getValue().getShape())) {
                    throw new IllegalArgumentException("optimiser state '" + key + "' has shape " + src.getShape()
                            + ", expected " + s.getValue().getShape() + " (from " + sd.source() + ")");
                }
                // a copy: the state is updated in place, and must not write through to sd's arrays
                NDArray typed = Copies.of(src, s.getValue().getDataType(), s.getValue().getDevice());
                typed.attach(stateManager);
                s.getValue().close();
                s.setValue(typed);
            }
            Map<String, NDArray> old = state.put(name, fresh);
            if (old != null) {
                old.values().forEach(NDArray::close);
            }
            steps.put(name, scalar(sd, name + ".step"));
        }
    }

    private static long scalar(StateDict sd, String key) {
        NDArray a = sd.get(key);
        switch (a.getDataType()) {
            case FLOAT32:
                return (long) a.getFloat();
            case FLOAT64:
                return (long) a.getDouble();
            case INT64:
                return a.getLong();
            case INT32:
                return a.getInt();
            default:
                throw new IllegalArgumentException("optimiser step '" + key + "' has unsupported type "
                        + a.getDataType() + " (from " + sd.source() + ")");
        }
    }

    /** Frees the state. */
    @Override
    public void close() {
        stateManager.close();
    }
}
