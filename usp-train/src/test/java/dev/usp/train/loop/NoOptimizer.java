package dev.usp.train.loop;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.train.optim.Optimizer;
import dev.usp.train.optim.ParamGroups;

import java.util.Map;

/** An optimiser that only counts its updates (the tiny regression updates itself), for the loop's update policy. */
final class NoOptimizer extends Optimizer {

    int steps;

    NoOptimizer(TinyRegression t) {
        super(t.model.trainableParameters(), ParamGroups.single(t.model.trainableParameters(), 0.0));
    }

    @Override
    public void step(double baseLr) {
        steps++;
    }

    @Override
    protected Map<String, NDArray> initState(NDArray param, NDManager manager) {
        return Map.of();
    }

    @Override
    protected void update(NDArray param, NDArray grad, Map<String, NDArray> state, long step, double lr,
                          double weightDecay) {
    }
}
