package dev.usp.train.loop;

import dev.usp.core.weights.StateDict;

import java.util.Map;

/** What a trainer saves in, and restores from, a {@link Checkpoint}. */
public interface TrainState {

    /**
     * The state dicts to save, by part name: e.g. {@code model} ({@code Module.stateDict()}),
     * {@code ema}, {@code optimizer}. Views of live arrays are fine; they are written, not kept.
     * The loop closes every dict it gets after use, which frees owned copies (such as
     * {@code Optimizer.stateDict()}) and releases nothing of a view.
     */
    Map<String, StateDict> stateDicts();

    /** Extra numbers to save (e.g. an optimiser's step count); none by default. */
    default Map<String, Double> scalars() {
        return Map.of();
    }

    /** Copies a loaded checkpoint's parts and scalars into the live model, EMA and optimiser. */
    void restore(Checkpoint checkpoint);
}
