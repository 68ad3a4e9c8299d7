package dev.usp.models.mae;

import ai.djl.ndarray.NDArray;

/**
 * What one MAE forward returns (the official {@code (loss, pred, mask)}).
 *
 * @param loss scalar: mean squared error over removed patches
 * @param pred (N, L, p*p*C) predicted patches, all positions
 * @param mask (N, L) float, 1 where a patch was removed, 0 where kept
 */
public record MaeOutput(NDArray loss, NDArray pred, NDArray mask) {
}
