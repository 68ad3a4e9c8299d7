package dev.usp.train.data;

import dev.usp.core.engine.Seeds;

import java.util.Arrays;

/**
 * Which examples each batch holds when a dataset is walked in shuffled epochs, the last partial
 * batch of an epoch dropped: a pure function of (seed, batch index), so a resumed run sees the
 * batches an uninterrupted one would.
 *
 * @param size      examples in the dataset
 * @param batchSize examples per batch
 * @param seed      run seed; epoch e's order is {@link Seeds#permutation}(size, seed, e)
 */
public record EpochOrder(int size, int batchSize, long seed) {

    /**
     * Checks the batch size.
     *
     * @throws IllegalArgumentException when the batch size is not between 1 and the number of examples
     */
    public EpochOrder {
        if (batchSize < 1 || batchSize > size) {
            throw new IllegalArgumentException("batch size " + batchSize + " must be between 1 and the " + size
                    + " examples of the dataset");
        }
    }

    /** Full batches per epoch. */
    public int batchesPerEpoch() {
        return size / batchSize;
    }

    /** The example indices of batch {@code index}, counted over all epochs. */
    public int[] indices(long index) {
        int perEpoch = batchesPerEpoch();
        int within = (int) (index % perEpoch);
        int[] order = Seeds.permutation(size, seed, index / perEpoch);
        return Arrays.copyOfRange(order, within * batchSize, (within + 1) * batchSize);
    }
}
