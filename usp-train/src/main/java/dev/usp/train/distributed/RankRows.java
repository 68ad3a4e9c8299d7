package dev.usp.train.distributed;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * The rows of a global batch one rank trains on: rows {@code rank, rank + W, rank + 2W, ...} of
 * a batch of {@code W * b} examples ({@code W} the world size). They are the examples
 * {@link ShardedEpochOrder} gives the rank (DistributedSampler's interleaving), so a rank that
 * builds the step's global batch (data and random draws, the same on every rank because the
 * engine is reseeded from (seed, step)) and keeps its rows trains on exactly what the
 * single-process run gives that rank's share of the batch.
 *
 * @param rank this process's rank
 * @param worldSize the number of processes
 */
public record RankRows(int rank, int worldSize) {

    /** Checks that the rank lies in the world. */
    public RankRows {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " of world size " + worldSize);
        }
    }

    /** The rows of the process {@code env} describes. */
    public static RankRows of(ProcessGroupEnv env) {
        return new RankRows(env.rank(), env.worldSize());
    }

    /**
     * This rank's rows of {@code global} along axis 0 (the array itself in a job of one process).
     *
     * @throws IllegalArgumentException naming the sizes when the batch is not a positive multiple of the world size
     */
    public NDArray of(NDArray global) {
        if (worldSize == 1) {
            return global;
        }
        long n = global.getShape().dimension() == 0 ? 0 : global.getShape().get(0);
        if (n == 0 || n % worldSize != 0) {
            throw new IllegalArgumentException("a global batch of " + n + " examples (shape " + global.getShape()
                    + ") cannot be shared by " + worldSize + " processes; use a positive multiple of " + worldSize);
        }
        return global.get(new NDIndex().addSliceDim(rank, n, worldSize));
    }
}
