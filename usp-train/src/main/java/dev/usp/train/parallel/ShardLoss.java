package dev.usp.train.parallel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.usp.core.nn.Module;

/**
 * The objective of one replica on its shard: a scalar, the MEAN loss over the shard's examples.
 * It runs on the replica's own thread with autograd recording; it must not open a
 * {@code GradientCollector} (DJL allows only one at a time per JVM) or call backward itself.
 *
 * @param <M> the model type
 */
@FunctionalInterface
public interface ShardLoss<M extends Module> {

    /**
     * The mean loss of {@code replica} on {@code shard}; the shard holds the step's batch arrays,
     * in the order given to {@link DataParallel#step}, cut along axis 0 and moved to the replica's
     * device. Create any new array from {@code shard.head().getManager()}, never from the model.
     */
    NDArray loss(M replica, NDList shard);
}
