package dev.usp.train.cls;

import dev.usp.core.weights.StateDict;
import dev.usp.train.loop.TrainState;
import dev.usp.train.optim.Optimizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link TrainState} whose {@code optimizer} part is a copy ({@link Optimizer#stateDict()}
 * copies): the copy of one checkpoint is closed when the next checkpoint asks again (closing the
 * optimiser frees the last one), so at most one copy is alive however many checkpoints are saved.
 */
abstract class OptimizerState implements TrainState {

    private final Optimizer opt;
    private StateDict lastCopy;

    OptimizerState(Optimizer opt) {
        this.opt = opt;
    }

    /** The model parts (views are fine). */
    abstract Map<String, StateDict> modelParts();

    @Override
    public Map<String, StateDict> stateDicts() {
        if (lastCopy != null) {
            lastCopy.close();
        }
        lastCopy = opt.stateDict();
        Map<String, StateDict> parts = new LinkedHashMap<>(modelParts());
        parts.put("optimizer", lastCopy);
        return parts;
    }
}
