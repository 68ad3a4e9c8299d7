package dev.usp.core.engine;

import ai.djl.ndarray.NDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * libtorch's inference mode on the calling thread, as PyTorch's {@code torch.inference_mode()}: grad
 * mode off, and every op skips libtorch's autograd and view-tracking layers. That saves about a tenth of
 * each op's dispatch cost (bench/ANALYSIS.md: a 16-float add 1.09 to 0.96 us), which counts in loops of
 * many small ops such as the samplers. The numbers are the same kernels' numbers, bit for bit.
 *
 * <p>Arrays made inside are inference tensors, with libtorch's rules: they cannot be saved for a
 * backward pass, nor updated in place outside inference mode (libtorch says so in its error). So a
 * scope's result that leaves it should be a normal copy: {@link #call} makes one. Scopes nest, are
 * closed on the thread that opened them, innermost first (anything else is refused, saying which).
 *
 * <p>The mode is set through usp-core's kernel shim (libtorch {@value NativeShims#TORCH_VERSION},
 * Linux x86-64); where that is missing a scope does nothing, which only means slower ops, and one
 * message at debug level says why.
 */
public final class InferenceMode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferenceMode.class);
    private static final int ERR = 1024;
    private static final Once<Binding> BINDING = new Once<>(InferenceMode::bind);
    private static final ThreadLocal<Deque<InferenceMode>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private final Thread owner = Thread.currentThread();
    private final int token;
    private boolean closed;

    private InferenceMode(int token) {
        this.token = token;
    }

    /** Enters inference mode on this thread until {@link #close()}. */
    public static InferenceMode enter() {
        InferenceMode scope = new InferenceMode(BINDING.get().ready() ? KernelShim.usp_inference_enter() : -1);
        OPEN.get().push(scope);
        return scope;
    }

    /**
     * Runs {@code body} in inference mode and returns a normal (not inference) copy of its result,
     * made after the scope closed; the inference result itself is closed. The copy lives in the
     * result's manager.
     */
    public static NDArray call(Supplier<NDArray> body) {
        NDArray inside;
        try (InferenceMode ignored = enter()) {
            inside = body.get();
        }
        if (!BINDING.get().ready()) {
            return inside;
        }
        NDArray normal = inside.duplicate();
        inside.close();
        return normal;
    }

    /** Whether this thread is in libtorch's inference mode now (libtorch's own answer; false without the shim). */
    public static boolean isEnabled() {
        return BINDING.get().ready() && KernelShim.usp_inference_enabled() != 0;
    }

    /** Null when scopes set libtorch's inference mode, else why they do nothing (platform, libtorch version). */
    public static String unavailableReason() {
        return BINDING.get().why();
    }

    /**
     * Puts back this thread's state from before {@link #enter()}; a second call does nothing.
     *
     * @throws IllegalStateException on another thread than the one that entered, or while a scope
     *     entered later is still open
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("an inference-mode scope entered on thread '" + owner.getName()
                    + "' cannot be closed on '" + Thread.currentThread().getName() + "' (the mode is per thread)");
        }
        Deque<InferenceMode> open = OPEN.get();
        if (open.peek() != this) {
            throw new IllegalStateException("inference-mode scopes must be closed innermost first: " + (open.size() - 1)
                    + " scope(s) entered after this one are still open");
        }
        open.pop();
        closed = true;
        if (token >= 0) {
            KernelShim.usp_inference_exit(token);
        }
    }

    private static Binding bind() {
        String why = KernelShim.load();
        if (why == null) {
            byte[] err = new byte[ERR];
            String torchCpu = KernelShim.torchCpu();
            if (KernelShim.usp_inference_init(torchCpu, err, err.length) != 0) {
                why = torchCpu + " " + KernelShim.text(err);
            }
        }
        if (why != null) {
            LOG.debug("inference-mode scopes do nothing here: {}", why);
        }
        return new Binding(why);
    }

    /** Whether the shim's inference-mode functions are bound, else why not. */
    private record Binding(String why) {
        boolean ready() {
            return why == null;
        }
    }
}
