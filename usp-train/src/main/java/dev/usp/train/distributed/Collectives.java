package dev.usp.train.distributed;

import ai.djl.ndarray.NDArray;

import java.util.List;

/**
 * The collective operations a data-parallel job of several processes needs, as PyTorch's c10d
 * process group gives them: every rank calls the same operations in the same order, and each call
 * returns when its result is complete here. Implementations: {@link #single()} (a job of one
 * process) and the Gloo/NCCL process group of the {@code usp-dist} module.
 *
 * <p>A call fails with a {@link CollectiveException} naming the rank, the operation and the cause
 * (a peer that died, the timeout) instead of blocking forever; the job is then lost and every
 * rank must exit.
 */
public interface Collectives extends AutoCloseable {

    /** This process's place in the job. */
    ProcessGroupEnv env();

    /**
     * Replaces every array, in place, by its elementwise sum over all ranks. The arrays are
     * float32, on this process's device, and every rank passes arrays of the same shapes in the
     * same order.
     */
    void allReduceSum(List<NDArray> arrays);

    /** Replaces every array, in place, on every rank by its value on rank {@code root}. */
    void broadcast(List<NDArray> arrays, int root);

    /** Returns once every rank has called it. */
    void barrier();

    /** Leaves the job; no call may follow. */
    @Override
    void close();

    /** The collectives of a job of one process, where every operation leaves the arrays as they are. */
    static Collectives single() {
        return SingleProcess.INSTANCE;
    }
}
