/**
 * Multi-process training, as torchrun and PyTorch's DistributedDataParallel define it (issue 16):
 * where a process sits in the job ({@link dev.usp.train.distributed.ProcessGroupEnv}, read from
 * torchrun's or Slurm's variables), the collectives trainers call
 * ({@link dev.usp.train.distributed.Collectives}; {@code Collectives.single()} for one process, the
 * c10d Gloo group of the optional {@code usp-dist} module for several), and which rows of a global
 * batch a rank trains on ({@link dev.usp.train.distributed.RankRows}, the examples of
 * {@link dev.usp.train.distributed.ShardedEpochOrder}, DistributedSampler's sharding).
 * {@link dev.usp.train.parallel.DataParallel} sums the gradients over the ranks and
 * {@link dev.usp.train.loop.TrainingLoop} lets rank 0 alone write the run.
 *
 * <p>An array a collective writes must be written in place in its own storage. DJL's
 * {@code NDArray.set(float[]/Buffer)} on CPU does not do that: it swaps the tensor's storage for a
 * Java direct buffer kept alive only by that NDArray object, so a gradient view or parameter set
 * that way points at freed memory once the object is closed (a heap corruption, seen in tests).
 */
package dev.usp.train.distributed;
