/**
 * Data parallelism over several devices of one machine ({@code --device gpu:0,1,...}):
 * {@link dev.usp.train.parallel.DataParallel} runs each shard of a batch on its own model replica
 * and sums the gradients into the master replica, which the optimiser updates. Multi-node
 * training is not supported.
 */
package dev.usp.train.parallel;
