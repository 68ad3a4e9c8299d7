/**
 * Sampling from trained DiT/SiT generators ({@code usp sample}): {@link dev.usp.eval.sample.GeneratorLoader}
 * reads this project's checkpoints (EMA by default) or official PyTorch files,
 * {@link dev.usp.eval.sample.Sampler} draws a {@link dev.usp.eval.sample.SampleJob} batch by batch
 * (sample i: seed base + i), and {@link dev.usp.eval.sample.SampleOutputs} writes the grid, PNGs
 * and the ADM evaluator's .npz ({@code arr_0}, uint8 NHWC).
 */
package dev.usp.eval.sample;
