package dev.usp.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.engine.HostArrays;
import dev.usp.core.engine.Kernels;
import dev.usp.core.engine.NoAutograd;
import dev.usp.core.nn.Parameter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTorch's {@code torch.optim.AdamW} (amsgrad off), step for step:
 * p *= 1 - lr wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps). Note eps is added AFTER the bias
 * correction, unlike DJL's Adam. State: {@code exp_avg}, {@code exp_avg_sq}.
 *
 * <p>With {@link Kernels#fused()} a group is updated by libtorch's {@code _fused_adamw_}, the kernel of
 * {@code AdamW(fused=True)}: one pass over each parameter instead of about ten array ops, equal to the
 * op-by-op update to float32 rounding (KernelsTest; OptimizerTest against torch.optim.AdamW).
 */
@NoAutograd("optimiser update: runs after the backward, outside any GradientCollector")
public final class AdamW extends Optimizer {

    private final double beta1;
    private final double beta2;
    private final double eps;

    /** AdamW with PyTorch's defaults for betas (0.9, 0.999) and eps 1e-8. */
    public AdamW(Map<String, Parameter> params, List<ParamGroup> groups) {
        this(params, groups, 0.9, 0.999, 1e-8);
    }

    /** AdamW with the given betas (MAE pretraining uses (0.9, 0.95)) and eps. */
    public AdamW(Map<String, Parameter> params, List<ParamGroup> groups, double beta1, double beta2, double eps) {
        super(params, groups);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    @Override
    protected Map<String, NDArray> initState(NDArray param, NDManager manager) {
        Map<String, NDArray> s = new LinkedHashMap<>();
        s.put("exp_avg", manager.zeros(param.getShape(), param.getDataType()));
        s.put("exp_avg_sq", manager.zeros(param.getShape(), param.getDataType()));
        return s;
    }

    @Override
    protected void updateGroup(List<NDArray> weights, List<NDArray> grads, List<Map<String, NDArray>> states,
                               long[] steps, double lr, double weightDecay, NDManager scratch) {
        if (!Kernels.fused()) {
            super.updateGroup(weights, grads, states, steps, lr, weightDecay, scratch);
            return;
        }
        List<NDArray> expAvgs = new ArrayList<>();
        List<NDArray> expAvgSqs = new ArrayList<>();
        List<NDArray> counts = new ArrayList<>();
        Map<Long, NDArray> byCount = new HashMap<>();
        for (int i = 0; i < weights.size(); i++) {
            expAvgs.add(states.get(i).get("exp_avg"));
            expAvgSqs.add(states.get(i).get("exp_avg_sq"));
            // the kernel reads a float32 step per parameter, as PyTorch keeps it
            counts.add(byCount.computeIfAbsent(steps[i],
                    c -> HostArrays.floats(scratch, new float[] {c}, new Shape())));
        }
        Kernels.adamw(weights, grads, expAvgs, expAvgSqs, counts, lr, beta1, beta2, weightDecay, eps);
    }

    @Override
    protected void update(NDArray param, NDArray grad, Map<String, NDArray> state,
                          long step, double lr, double weightDecay) {
        if (weightDecay != 0) {
            param.muli(1 - lr * weightDecay);
        }
        NDArray m = state.get("exp_avg");
        NDArray v = state.get("exp_avg_sq");
        // Outside autograd, so temporaries are updated in place: 3 full-size arrays instead of 8.
        try (NDArray g1 = grad.mul(1 - beta1)) {
            m.muli(beta1).addi(g1);
        }
        try (NDArray g2 = grad.mul(1 - beta2)) {
            v.muli(beta2).addi(g2.muli(grad));
        }
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / biasCorrection1;
        try (NDArray denom = v.sqrt()) {
            denom.divi(Math.sqrt(biasCorrection2)).addi(eps);
            try (NDArray update = m.div(denom)) {
                param.subi(update.muli(stepSize));
            }
        }
    }
}
