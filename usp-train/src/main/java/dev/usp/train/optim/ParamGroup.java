package dev.usp.train.optim;

import java.util.List;

/**
 * A PyTorch optimiser parameter group: named parameters sharing a learning-rate scale (MAE's
 * {@code lr_scale}; the group's lr is base lr times this) and a weight decay.
 */
public record ParamGroup(String name, List<String> params, double lrScale, double weightDecay) {

    /** Copies the name list. */
    public ParamGroup {
        params = List.copyOf(params);
    }
}
