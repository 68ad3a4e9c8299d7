package dev.usp.train.optim;

import dev.usp.core.engine.NoAutograd;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.nn.Parameter;

import java.util.Map;

/** DiT's {@code update_ema}: ema = decay * ema + (1 - decay) * p, parameter by parameter, by name. */
@NoAutograd("EMA of parameters: runs after the optimiser step, outside any GradientCollector")
public final class Ema {

    private Ema() {
    }

    /**
     * Updates every EMA parameter in place from the model parameter of the same name; with
     * decay 0 it copies (DiT initialises the EMA that way).
     *
     * @param ema the EMA model's parameters (e.g. {@code ema.namedParameters()})
     * @param model the trained model's parameters
     * @throws IllegalArgumentException naming the parameter when a name or shape does not match
     */
    public static void update(Map<String, Parameter> ema, Map<String, Parameter> model, double decay) {
        for (Map.Entry<String, Parameter> e : model.entrySet()) {
            Parameter target = ema.get(e.getKey());
            if (target == null) {
                throw new IllegalArgumentException("EMA has no parameter '" + e.getKey() + "'");
            }
            NDArray p = e.getValue().array();
            NDArray avg = target.array();
            if (!p.getShape().equals(avg.getShape())) {
                throw new IllegalArgumentException("EMA parameter '" + e.getKey() + "' has shape "
                        + avg.getShape() + ", model has " + p.getShape());
            }
            try (NDManager scratch = avg.getManager().newSubManager()) {
                p.tempAttach(scratch);
                avg.muli(decay).addi(p.mul(1 - decay));
            }
        }
    }
}
