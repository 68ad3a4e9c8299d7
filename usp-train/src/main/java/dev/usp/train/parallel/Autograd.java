package dev.usp.train.parallel;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

import java.util.function.Supplier;

/**
 * Autograd calls usable from several threads at once. DJL's {@code PtGradientCollector} holds a
 * JVM-wide flag that refuses a second open collector, so replica threads instead switch
 * PyTorch's grad mode, which is thread-local, and call PyTorch's backward directly (what the
 * collector does inside). {@link #paused} is also how frozen models (the VAE encoding
 * pretraining input) run without recording a graph.
 */
public final class Autograd {

    private Autograd() {
    }

    /** Runs {@code body} with grad mode on in this thread, then restores this thread's mode. */
    static <T> T recording(Supplier<T> body) {
        return withGradMode(true, body);
    }

    /** Runs {@code body} with grad mode off in this thread (nothing is recorded), then restores this thread's mode. */
    public static <T> T paused(Supplier<T> body) {
        return withGradMode(false, body);
    }

    private static <T> T withGradMode(boolean on, Supplier<T> body) {
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(on);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(before);
        }
    }

    /** Adds d(target)/d(leaf) to every leaf's gradient, as {@code gc.backward(target)}; frees the graph. */
    static void backward(NDArray target) {
        NDArray seed = target.onesLike();
        JniUtils.backward((PtNDArray) target, (PtNDArray) seed, false, false);
    }
}
