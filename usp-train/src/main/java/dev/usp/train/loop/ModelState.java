package dev.usp.train.loop;

import dev.usp.core.nn.Module;
import dev.usp.core.weights.StateDict;
import dev.usp.train.optim.Optimizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The usual {@link TrainState}: named modules ({@code model}, and e.g. {@code ema}) saved whole and
 * restored strictly, plus the optimiser's state under {@code optimizer}. The optimiser part is a
 * copy that the loop frees after writing it.
 */
public final class ModelState implements TrainState {

    private final Map<String, Module> modules = new LinkedHashMap<>();
    private final Optimizer opt;
    private Runnable afterRestore = () -> { };

    private ModelState(Module model, Optimizer opt) {
        modules.put("model", model);
        this.opt = opt;
    }

    /** {@code model} and the optimiser. */
    public static ModelState of(Module model, Optimizer opt) {
        return new ModelState(model, opt);
    }

    /** Also saves and restores {@code module} as part {@code name} (e.g. {@code "ema"}). */
    public ModelState with(String name, Module module) {
        if (name.equals("optimizer") || modules.putIfAbsent(name, module) != null) {
            throw new IllegalArgumentException("part '" + name + "' is taken");
        }
        return this;
    }

    /** Runs {@code action} after each restore (e.g. to freeze an EMA's loaded parameters again). */
    public ModelState afterRestore(Runnable action) {
        afterRestore = action;
        return this;
    }

    @Override
    public Map<String, StateDict> stateDicts() {
        Map<String, StateDict> parts = new LinkedHashMap<>();
        modules.forEach((name, m) -> parts.put(name, m.stateDict()));
        parts.put("optimizer", opt.stateDict());
        return parts;
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        modules.forEach((name, m) -> m.loadStateDict(checkpoint.part(name), true));
        opt.loadStateDict(checkpoint.part("optimizer"));
        afterRestore.run();
    }
}
