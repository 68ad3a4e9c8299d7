package dev.usp.train.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.usp.core.nn.Module;
import dev.usp.core.nn.Parameter;
import dev.usp.core.testing.Fixtures;

import java.util.Map;

/** A bare module holding named parameters, with gradients settable to given values. */
final class ParamHolder extends Module {

    ParamHolder(NDManager manager, JsonObject init) {
        super(manager);
        for (Map.Entry<String, JsonElement> e : init.entrySet()) {
            addParameter(e.getKey(), Fixtures.array(manager, e.getValue(), DataType.FLOAT32));
        }
    }

    /** Makes every gradient equal to the given values: backward of sum(G * p). */
    void setGradients(JsonObject grads) {
        Optimizer.zeroGrad(trainableParameters());
        try (NDManager step = manager().newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray total = null;
            for (Map.Entry<String, Parameter> e : trainableParameters().entrySet()) {
                NDArray g = Fixtures.array(step, grads.get(e.getKey()), DataType.FLOAT32);
                NDArray term = g.mul(e.getValue().array()).sum();
                total = total == null ? term : total.add(term);
            }
            gc.backward(total);
        }
    }
}
