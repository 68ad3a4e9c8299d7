package dev.usp.train.optim;

import dev.usp.core.engine.NoAutograd;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.nn.Parameter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MAE's LARS (from MoCo v3) for linear probing: for parameters with ndim > 1,
 * d = g + wd p scaled by trust * |p| / |d| (1 when either norm is 0); 1-D parameters use the raw
 * gradient without decay; then mu = momentum mu + d; p -= lr mu. State: {@code mu}.
 */
@NoAutograd("optimiser update: runs after the backward, outside any GradientCollector")
public final class Lars extends Optimizer {

    private final double momentum;
    private final double trustCoefficient;

    /** LARS with MAE's defaults: momentum 0.9, trust coefficient 0.001. */
    public Lars(Map<String, Parameter> params, List<ParamGroup> groups) {
        this(params, groups, 0.9, 0.001);
    }

    /** LARS with the given momentum and trust coefficient. */
    public Lars(Map<String, Parameter> params, List<ParamGroup> groups, double momentum, double trustCoefficient) {
        super(params, groups);
        this.momentum = momentum;
        this.trustCoefficient = trustCoefficient;
    }

    @Override
    protected Map<String, NDArray> initState(NDArray param, NDManager manager) {
        Map<String, NDArray> s = new LinkedHashMap<>();
        s.put("mu", manager.zeros(param.getShape(), param.getDataType()));
        return s;
    }

    @Override
    protected void update(NDArray param, NDArray grad, Map<String, NDArray> state,
                          long step, double lr, double weightDecay) {
        NDArray d = grad;
        if (param.getShape().dimension() > 1) {
            d = grad.add(param.mul(weightDecay));
            double paramNorm = param.norm().getFloat();
            double updateNorm = d.norm().getFloat();
            double q = paramNorm > 0 && updateNorm > 0 ? trustCoefficient * paramNorm / updateNorm : 1.0;
            d = d.mul(q);
        }
        NDArray mu = state.get("mu");
        mu.muli(momentum).addi(d);
        param.subi(mu.mul(lr));
    }
}
