/**
 * Multi-process training, as torchrun and PyTorch's DistributedDataParallel define it (issue 16):
 * where a process sits in the job ({@link dev.usp.train.distributed.ProcessGroupEnv}, read from
 * torchrun's or Slurm's variables) and which examples each rank reads
 * ({@link dev.usp.train.distributed.ShardedEpochOrder}, DistributedSampler's sharding). The
 * collectives themselves (gradient all-reduce through c10d) are not here yet: README
 * "Distributed training" says what blocks them and how they will be reached.
 */
package dev.usp.train.distributed;
