package dev.usp.app.bench;

import ai.djl.ndarray.NDManager;
import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTModels;
import dev.usp.train.optim.AdamW;
import dev.usp.train.optim.ParamGroups;

/** zero_grad plus one AdamW update over DiT-S/2's parameters (gradients all zero), without forward or backward. */
final class OptimizerOnly implements Workload {

    private final DiT model;
    private final AdamW opt;

    OptimizerOnly(NDManager root) {
        this.model = new DiT(root.newSubManager(), DiTModels.config("DiT-S/2"));
        this.opt = new AdamW(model.trainableParameters(), ParamGroups.single(model.trainableParameters(), 0));
    }

    @Override
    public void step() {
        opt.zeroGrad();
        opt.step(1e-4);
    }

    @Override
    public String unit() {
        return "steps/s";
    }

    @Override
    public void close() {
        opt.close();
        model.close();
    }
}
