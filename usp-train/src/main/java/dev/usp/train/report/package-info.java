/**
 * Headless PNG output of a run: line charts ({@link dev.usp.train.report.LinePlot}, used for the
 * loss curve by {@link dev.usp.train.loop.LossCurves}, and for FD-vs-steps or accuracy plots);
 * image grids of samples or reconstructions are usp-core's {@code dev.usp.core.io.ImageGrid}.
 */
package dev.usp.train.report;
