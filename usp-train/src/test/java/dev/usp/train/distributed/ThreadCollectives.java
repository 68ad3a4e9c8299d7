package dev.usp.train.distributed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.usp.train.parallel.Autograd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link Collectives} between threads of one JVM standing in for the ranks of a job, for tests of
 * what trainers do with the collectives (the engine itself is tested with real processes in
 * usp-dist). Each operation meets the other ranks at a barrier; sums are taken in rank order in
 * float32, as Gloo's ring does for two ranks.
 */
public final class ThreadCollectives implements Collectives {

    /** What the ranks of one job share. */
    public static final class Job {
        private final int worldSize;
        private final CyclicBarrier barrier;
        private final float[][][] slots;

        /** A job of {@code worldSize} threads. */
        public Job(int worldSize) {
            this.worldSize = worldSize;
            this.barrier = new CyclicBarrier(worldSize);
            this.slots = new float[worldSize][][];
        }

        /** The collectives of rank {@code rank}. */
        public ThreadCollectives rank(int rank) {
            return new ThreadCollectives(this, new ProcessGroupEnv(rank, worldSize, rank, "127.0.0.1", 29500));
        }
    }

    private final Job job;
    private final ProcessGroupEnv env;

    private ThreadCollectives(Job job, ProcessGroupEnv env) {
        this.job = job;
        this.env = env;
    }

    @Override
    public ProcessGroupEnv env() {
        return env;
    }

    @Override
    public void allReduceSum(List<NDArray> arrays) {
        job.slots[env.rank()] = contents(arrays);
        await();
        for (int i = 0; i < arrays.size(); i++) {
            float[] sum = job.slots[0][i].clone();
            for (int r = 1; r < job.worldSize; r++) {
                float[] other = job.slots[r][i];
                for (int k = 0; k < sum.length; k++) {
                    sum[k] += other[k];
                }
            }
            overwrite(arrays.get(i), sum);
        }
        await();
    }

    @Override
    public void broadcast(List<NDArray> arrays, int root) {
        job.slots[env.rank()] = contents(arrays);
        await();
        for (int i = 0; i < arrays.size(); i++) {
            overwrite(arrays.get(i), job.slots[root][i]);
        }
        await();
    }

    @Override
    public void barrier() {
        await();
    }

    @Override
    public void close() {
        // the job's threads end on their own
    }

    /**
     * Writes {@code values} into {@code target}'s own storage, as a collective does. Not
     * {@code NDArray.set(float[])}: DJL's CPU {@code set} swaps the tensor's storage for a Java
     * direct buffer that the array object keeps alive, so a gradient view or parameter set that
     * way points at freed memory once that object is closed (a heap corruption, seen here).
     */
    public static void overwrite(NDArray target, float[] values) {
        Autograd.paused(() -> {
            try (NDArray source = target.getManager().create(values, target.getShape())) {
                target.set(new NDIndex("..."), source);
            }
            return null;
        });
    }

    private static float[][] contents(List<NDArray> arrays) {
        List<float[]> out = new ArrayList<>();
        for (NDArray a : arrays) {
            out.add(a.toFloatArray());
        }
        return out.toArray(new float[0][]);
    }

    private void await() {
        try {
            job.barrier.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("rank " + env.rank() + ": interrupted", e);
        } catch (BrokenBarrierException | TimeoutException e) {
            throw new CollectiveException("rank " + env.rank() + " of " + env.worldSize() + ": a peer is gone", e);
        }
    }
}
