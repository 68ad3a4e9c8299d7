package dev.usp.train.distributed;

import dev.usp.core.engine.Seeds;

import java.util.Arrays;

/**
 * The examples each rank reads when a dataset is walked in shuffled epochs by several processes,
 * as PyTorch's {@code DistributedSampler} shards them: every rank computes the same permutation
 * of epoch e ({@link Seeds#permutation}), pads it by repeating its start to a multiple of the
 * world size, and takes every {@code worldSize}-th position from its rank on; the shards are then
 * cut into local batches, the last partial one dropped. A pure function of (seed, batch index),
 * so a resumed run reads what an uninterrupted one would; with one process it is exactly
 * {@link dev.usp.train.data.EpochOrder}.
 *
 * @param size examples in the dataset
 * @param localBatch examples per batch on each rank (the global batch is {@code localBatch * worldSize})
 * @param seed the run seed
 * @param rank this process's rank
 * @param worldSize the number of processes
 */
public record ShardedEpochOrder(int size, int localBatch, long seed, int rank, int worldSize) {

    /** Checks that each rank's shard holds at least one batch. */
    public ShardedEpochOrder {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " of world size " + worldSize);
        }
        if (localBatch < 1 || localBatch > shardSize(size, worldSize)) {
            throw new IllegalArgumentException("local batch " + localBatch + " must be between 1 and the "
                    + shardSize(size, worldSize) + " examples of each of the " + worldSize + " ranks' shards of "
                    + size);
        }
    }

    /** Examples per rank and epoch: {@code ceil(size / worldSize)}, padding included. */
    public int shardSize() {
        return shardSize(size, worldSize);
    }

    /** Full local batches per epoch. */
    public int batchesPerEpoch() {
        return shardSize() / localBatch;
    }

    /** This rank's examples of epoch {@code epoch}, in reading order. */
    public int[] shard(long epoch) {
        int[] perm = Seeds.permutation(size, seed, epoch);
        int[] shard = new int[shardSize()];
        for (int i = 0; i < shard.length; i++) {
            shard[i] = perm[(rank + i * worldSize) % size];
        }
        return shard;
    }

    /** This rank's example indices of local batch {@code index}, counted over all epochs. */
    public int[] indices(long index) {
        int perEpoch = batchesPerEpoch();
        int within = (int) (index % perEpoch);
        return Arrays.copyOfRange(shard(index / perEpoch), within * localBatch, (within + 1) * localBatch);
    }

    private static int shardSize(int size, int worldSize) {
        return (size + worldSize - 1) / worldSize;
    }
}
