package dev.usp.app.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.usp.core.nn.Module;
import dev.usp.train.optim.AdamW;
import dev.usp.train.optim.ParamGroup;

import java.util.List;
import java.util.function.Function;

/**
 * A training step as PyTorch's loop does it: zero the gradients, draw the batch and the step's
 * random inputs in a step manager, forward, backward, one {@link AdamW} update.
 */
final class TrainStep implements Workload {

    private static final double LR = 1e-4;

    private final Module model;
    private final AdamW opt;
    private final Function<NDManager, NDArray> loss;
    private final long batch;
    private final double flops;

    /**
     * @param model  the network (closed with this workload)
     * @param groups AdamW parameter groups
     * @param betas  AdamW (beta1, beta2)
     * @param loss   builds the step's inputs in the given manager and returns the scalar loss
     * @param forwardFlops analytic FLOPs of one forward of the batch
     */
    TrainStep(Module model, List<ParamGroup> groups, double[] betas, Function<NDManager, NDArray> loss, long batch,
              double forwardFlops) {
        this.model = model;
        this.opt = new AdamW(model.trainableParameters(), groups, betas[0], betas[1], 1e-8);
        this.loss = loss;
        this.batch = batch;
        this.flops = Flops.TRAIN_FACTOR * forwardFlops;
    }

    @Override
    public void step() {
        opt.zeroGrad();
        try (NDManager m = model.manager().newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(loss.apply(m));
        }
        opt.step(LR);
    }

    @Override
    public double itemsPerStep() {
        return batch;
    }

    @Override
    public String unit() {
        return "samples/s";
    }

    @Override
    public double flopsPerStep() {
        return flops;
    }

    @Override
    public void close() {
        opt.close();
        model.close();
    }
}
