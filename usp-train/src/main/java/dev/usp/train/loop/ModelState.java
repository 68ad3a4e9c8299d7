package dev.usp.train.loop;

import dev.usp.core.nn.Module;
import dev.usp.core.weights.LoadReport;
import dev.usp.core.weights.StateDict;
import dev.usp.train.optim.Optimizer;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The {@link TrainState} every trainer uses: named module parts ({@code model}, and e.g.
 * {@code ema}) saved as views and restored strictly, plus the optimiser's state under
 * {@code optimizer}. The optimiser part is a copy ({@link Optimizer#stateDict()}) that the loop
 * frees after writing each checkpoint. A part may hold only some of a module's tensors
 * ({@link #ofPart}: a linear probe's head, whose frozen encoder comes from another file).
 */
public final class ModelState implements TrainState {

    /** The name of the optimiser's part. */
    public static final String OPTIMIZER = "optimizer";

    private final Map<String, Part> parts = new LinkedHashMap<>();
    private final Optimizer opt;
    private Runnable afterRestore = () -> { };

    private ModelState(String name, Part part, Optimizer opt) {
        parts.put(name, part);
        this.opt = opt;
    }

    /** {@code model} (all its tensors) and the optimiser. */
    public static ModelState of(Module model, Optimizer opt) {
        return new ModelState("model", new Part(model, null), opt);
    }

    /**
     * The tensors of {@code module} whose names pass {@code keys}, as part {@code name}, and the
     * optimiser. A restore requires the checkpoint's part to hold exactly those names, with the
     * module's shapes, and leaves the other tensors as they are.
     */
    public static ModelState ofPart(String name, Module module, Predicate<String> keys, Optimizer opt) {
        checkName(name);
        return new ModelState(name, new Part(module, keys), opt);
    }

    /** Also saves and restores {@code module} as part {@code name} (e.g. {@code "ema"}). */
    public ModelState with(String name, Module module) {
        checkName(name);
        if (parts.putIfAbsent(name, new Part(module, null)) != null) {
            throw new IllegalArgumentException("part '" + name + "' is taken");
        }
        return this;
    }

    /** Runs {@code action} after each restore (e.g. to freeze an EMA's loaded parameters again). */
    public ModelState afterRestore(Runnable action) {
        afterRestore = action;
        return this;
    }

    private static void checkName(String name) {
        if (name.equals(OPTIMIZER)) {
            throw new IllegalArgumentException("part '" + name + "' is taken");
        }
    }

    @Override
    public Map<String, StateDict> stateDicts() {
        Map<String, StateDict> out = new LinkedHashMap<>();
        parts.forEach((name, p) -> out.put(name, p.view()));
        out.put(OPTIMIZER, opt.stateDict());
        return out;
    }

    @Override
    public void restore(Checkpoint checkpoint) {
        parts.forEach((name, p) -> p.load(name, checkpoint.part(name)));
        opt.loadStateDict(checkpoint.part(OPTIMIZER));
        afterRestore.run();
    }

    /** A module's tensors, all of them ({@code keys} null) or those whose names pass {@code keys}. */
    private record Part(Module module, Predicate<String> keys) {

        /** A view of the live tensors: written, never kept, freed by nothing. */
        StateDict view() {
            return keys == null ? module.stateDict() : module.stateDict().filter(keys);
        }

        void load(String name, StateDict saved) {
            if (keys == null) {
                module.loadStateDict(saved, true);
                return;
            }
            StateDict mine = view();
            if (!saved.keys().equals(mine.keys())) {
                throw new IllegalArgumentException("checkpoint part '" + name + "' holds " + saved.keys()
                        + " but the model's are " + mine.keys());
            }
            LoadReport report = module.loadStateDict(saved, false);
            if (!report.mismatched().isEmpty()) {
                throw new IllegalArgumentException("checkpoint part '" + name + "' does not fit the model's shapes: "
                        + report.mismatched());
            }
        }
    }
}
