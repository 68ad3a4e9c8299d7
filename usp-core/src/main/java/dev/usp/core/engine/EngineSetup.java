package dev.usp.core.engine;

/**
 * The process-wide engine settings that must come before the first tensor computation: oneMKL's
 * code path ({@link MklDispatch}) and glibc's handling of freed tensor memory ({@link MallocTuning}).
 * {@link Numerics#selectKernels()} and {@link Kernels} call it, so every command, trainer and model
 * applies it before its first product.
 */
final class EngineSetup {

    private EngineSetup() {
    }

    /** Applies both, once per process; cheap afterwards. */
    static void apply() {
        MklDispatch.apply();
        MallocTuning.apply();
    }
}
