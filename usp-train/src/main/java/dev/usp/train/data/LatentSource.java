package dev.usp.train.data;

import ai.djl.ndarray.NDManager;

/** Where a trainer's latent batches come from: a pure function of the global micro-batch index. */
public interface LatentSource {

    /** The batch for micro-batch {@code index} (a function of the run seed and the index), in {@code m}. */
    LatentBatches.Batch batch(long index, NDManager m);

    /** Full batches per pass over the data. */
    int batchesPerEpoch();

    /** Samples per batch. */
    int batchSize();
}
