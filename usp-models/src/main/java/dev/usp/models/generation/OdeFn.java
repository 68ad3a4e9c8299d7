package dev.usp.models.generation;

import ai.djl.ndarray.NDArray;

/** The right-hand side dx/dt = f(x, t) of an ODE, or the drift of an SDE, at one time for the whole batch. */
@FunctionalInterface
public interface OdeFn {

    /** Evaluates f; the result has x's shape and belongs to x's manager (or a child). */
    NDArray apply(NDArray x, double t);
}
