package dev.usp.models.vit;

import dev.usp.core.engine.HostArrays;
import dev.usp.core.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.nn.Module;
import dev.usp.core.nn.Parameter;

/**
 * PyTorch's {@code nn.BatchNorm1d(dim, affine=False)} over (B, D), as MAE's linear probe puts it
 * before the head: buffers {@code running_mean}, {@code running_var}, {@code num_batches_tracked}.
 * Training normalises with the batch mean and biased variance and moves the running statistics
 * by {@code momentum} towards the batch mean and <em>unbiased</em> variance; eval uses the
 * running statistics.
 */
public final class BatchNorm1d extends Module {

    private final long dim;
    private final double eps;
    private final double momentum;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private final Parameter batchesTracked;

    /** Creates the norm with running mean 0, running variance 1. */
    public BatchNorm1d(NDManager manager, long dim, double eps, double momentum) {
        super(manager);
        this.dim = dim;
        this.eps = eps;
        this.momentum = momentum;
        runningMean = addBuffer("running_mean", manager.zeros(new Shape(dim)));
        runningVar = addBuffer("running_var", manager.ones(new Shape(dim)));
        batchesTracked = addBuffer("num_batches_tracked", HostArrays.longs(manager, new long[] {0L}, new Shape()));
    }

    /** (B, D) -> (B, D); in training mode also updates the running statistics. */
    public NDArray forward(NDArray x) {
        NDManager step = x.getManager();
        if (!isTraining()) {
            NDArray denom = step.full(new Shape(dim), (float) eps, x.getDataType()).add(runningVar.array()).sqrt();
            return x.sub(runningMean.array()).div(denom);
        }
        long n = x.getShape().get(0);
        if (n < 2) {
            throw new IllegalArgumentException("batch norm in training needs more than one sample, got " + x.getShape());
        }
        NDArray mean = x.mean(new int[] {0});                                   // (D)
        NDArray centred = x.sub(mean);                                          // (B, D)
        NDArray var = centred.square().mean(new int[] {0});                     // (D) biased
        updateRunning(mean.stopGradient(), Scalars.mul(var.stopGradient(), (double) n / (n - 1)));
        return centred.div(var.add(eps).sqrt());
    }

    private void updateRunning(NDArray batchMean, NDArray batchVarUnbiased) {
        // running += momentum * (batch - running), with the step's array as first operand
        runningMean.replace(Scalars.mul(batchMean.sub(runningMean.array()), momentum).add(runningMean.array()));
        runningVar.replace(Scalars.mul(batchVarUnbiased.sub(runningVar.array()), momentum).add(runningVar.array()));
        long seen = batchesTracked.array().getLong();
        batchesTracked.replace(HostArrays.longs(batchMean.getManager(), new long[] {seen + 1}, new Shape()));
    }
}
