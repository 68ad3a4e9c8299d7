package dev.usp.train.distributed;

import ai.djl.ndarray.NDArray;

import java.util.List;

/** {@link Collectives} of a job of one process: the sum and the broadcast over one rank are the identity. */
enum SingleProcess implements Collectives {
    INSTANCE;

    private static final ProcessGroupEnv ENV = ProcessGroupEnv.single();

    @Override
    public ProcessGroupEnv env() {
        return ENV;
    }

    @Override
    public void allReduceSum(List<NDArray> arrays) {
        // one rank: the sum is the array itself
    }

    @Override
    public void broadcast(List<NDArray> arrays, int root) {
        if (root != 0) {
            throw new IllegalArgumentException("broadcast from rank " + root + " in a job of one process");
        }
    }

    @Override
    public void barrier() {
        // nobody to wait for
    }

    @Override
    public void close() {
        // nothing was opened
    }
}
