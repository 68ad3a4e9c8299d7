package dev.usp.core.engine;

import java.util.function.Supplier;

/**
 * A value computed on first use, once per process, for the engine's process-wide decisions
 * ({@link Kernels}, {@link MklDispatch}, {@link MallocTuning}, {@link InferenceMode}). Unlike a holder
 * class, a computation that throws (e.g. on an unknown setting) leaves nothing cached and throws again
 * on the next call, with its own message.
 */
final class Once<T> {

    private final Supplier<T> compute;
    private volatile T value;

    Once(Supplier<T> compute) {
        this.compute = compute;
    }

    /** The value, computed by the first call. */
    T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                if (value == null) {
                    value = compute.get();
                }
                v = value;
            }
        }
        return v;
    }
}
