package dev.usp.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;

/**
 * libtorch's fused kernels that DJL 0.36 does not expose, called in the libtorch DJL loaded: the
 * operators PyTorch itself runs for {@code F.gelu(x, approximate="tanh")}, {@code F.silu},
 * {@code F.group_norm}, {@code F.scaled_dot_product_attention}, {@code AdamW(fused=True)},
 * {@code zero_grad()} ({@code _foreach_zero_}) and {@code torch.linalg.eigvalsh}. They go through
 * libtorch's dispatcher, so autograd records them as in PyTorch: one kernel forward and one backward
 * where this project composed several DJL ops (bench/ANALYSIS.md has the measurements).
 *
 * <p>{@value #PROPERTY} (or {@value #ENV}) chooses: {@code fused} (the default) or {@code composed}
 * (the DJL compositions, e.g. to compare). The fused kernels need the shim in this jar, Linux x86-64
 * and libtorch {@value NativeShims#TORCH_VERSION}; where that is missing the default falls back to the
 * compositions with one warning saying why, and an explicit {@code fused} fails. The two agree to float32
 * rounding (KernelsTest), so a run's numbers move in their last bits between the choices, not more.
 */
public final class Kernels {

    /** The system property that chooses the kernels ({@code fused} or {@code composed}). */
    public static final String PROPERTY = "usp.kernels";
    /** The environment variable read when the property is not set. */
    public static final String ENV = "USP_KERNELS";

    private static final Logger LOG = LoggerFactory.getLogger(Kernels.class);
    private static final int ERR = 1024;
    private static final String FUSED =
            "fused (libtorch gelu-tanh, silu, group_norm, sdpa, _fused_adamw_, _foreach_zero_, linalg_eigvalsh)";

    private static final Once<Boolean> FUSED_IN_USE = new Once<>(Kernels::decide);

    private Kernels() {
    }

    /** Whether the fused kernels are in use (decided on the first call, from {@value #PROPERTY}). */
    public static boolean fused() {
        return FUSED_IN_USE.get();
    }

    /** One line for start-up logs and benchmark reports. */
    public static String describe() {
        return fused() ? FUSED : "composed (DJL ops)";
    }

    private static boolean decide() {
        EngineSetup.apply();
        String value = System.getProperty(PROPERTY, System.getenv(ENV));
        String choice = value == null || value.isBlank() ? "" : value.trim().toLowerCase(Locale.ROOT);
        if (choice.equals("composed")) {
            LOG.info("kernels: composed (DJL ops, as asked by {}={})", PROPERTY, value.trim());
            return false;
        }
        if (!choice.isEmpty() && !choice.equals("fused")) {
            throw new IllegalArgumentException("kernels '" + value + "' (from -D" + PROPERTY + " or " + ENV
                    + ") are unknown: use fused (default) or composed");
        }
        String why = KernelShim.load();
        if (why == null) {
            LOG.info("kernels: {}", FUSED);
            return true;
        }
        if (choice.equals("fused")) {
            throw new IllegalStateException("fused kernels were asked for (-D" + PROPERTY + "=fused) but cannot "
                    + "be used: " + why);
        }
        LOG.warn("fused kernels unavailable, using DJL compositions (slower; last bits differ): {}", why);
        return false;
    }

    private static void requireFused() {
        if (!fused()) {
            throw new IllegalStateException("fused kernels are not in use (" + PROPERTY + "); check Kernels.fused()");
        }
    }

    /** {@code F.gelu(x, approximate="tanh")}: one kernel. Requires {@link #fused()}. */
    public static NDArray geluTanh(NDArray x) {
        requireFused();
        byte[] err = new byte[ERR];
        return wrap(x.getManager(), KernelShim.usp_gelu(handle(x), 1, err, ERR), err);
    }

    /** {@code F.silu(x)}: one kernel. Requires {@link #fused()}. */
    public static NDArray silu(NDArray x) {
        requireFused();
        byte[] err = new byte[ERR];
        return wrap(x.getManager(), KernelShim.usp_silu(handle(x), err, ERR), err);
    }

    /**
     * {@code F.group_norm(x, groups, weight, bias, eps)} on (N, C, ...) with weight and bias (C).
     * Requires {@link #fused()}.
     */
    public static NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, double eps) {
        requireFused();
        byte[] err = new byte[ERR];
        return wrap(x.getManager(), KernelShim.usp_group_norm(handle(x), groups, handle(weight), handle(bias), eps,
                err, ERR), err);
    }

    /**
     * {@code F.scaled_dot_product_attention(q, k, v, scale=scale)} on (B, H, N, d): softmax(q k^T scale) v
     * without a mask or dropout, libtorch's fused CPU (flash) kernel, which never stores the (N, N)
     * attention matrix. Requires {@link #fused()}.
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, double scale) {
        requireFused();
        byte[] err = new byte[ERR];
        return wrap(q.getManager(), KernelShim.usp_sdpa(handle(q), handle(k), handle(v), scale, err, ERR), err);
    }

    /**
     * {@code torch._fused_adamw_} (AdamW, no amsgrad): updates every parameter and its two moments in
     * place, under no_grad, as {@code AdamW(fused=True).step()} does after incrementing its step counters.
     *
     * @param steps one float32 scalar per parameter holding the step being taken (1 for the first);
     *     one array may be repeated
     */
    public static void adamw(List<NDArray> params, List<NDArray> grads, List<NDArray> expAvgs,
            List<NDArray> expAvgSqs, List<NDArray> steps, double lr, double beta1, double beta2, double weightDecay,
            double eps) {
        requireFused();
        int n = params.size();
        if (grads.size() != n || expAvgs.size() != n || expAvgSqs.size() != n || steps.size() != n) {
            throw new IllegalArgumentException("fused AdamW: " + n + " parameters but " + grads.size() + " gradients, "
                    + expAvgs.size() + "/" + expAvgSqs.size() + " moments, " + steps.size() + " steps");
        }
        byte[] err = new byte[ERR];
        check(KernelShim.usp_fused_adamw(handles(params), handles(grads), handles(expAvgs), handles(expAvgSqs),
                handles(steps), n, lr, beta1, beta2, weightDecay, eps, err, ERR), err);
    }

    /** {@code torch._foreach_zero_}: sets every array (e.g. the gradients) to zero, under no_grad. */
    public static void zero(List<NDArray> arrays) {
        requireFused();
        byte[] err = new byte[ERR];
        check(KernelShim.usp_foreach_zero(handles(arrays), arrays.size(), err, ERR), err);
    }

    /**
     * {@code torch.linalg.eigvalsh(a)}: the eigenvalues, ascending, of a symmetric (n, n) matrix whose
     * lower triangle is read (LAPACK's divide and conquer); attached to {@code a}'s manager.
     */
    public static NDArray eigvalsh(NDArray a) {
        requireFused();
        byte[] err = new byte[ERR];
        return wrap(a.getManager(), KernelShim.usp_linalg_eigvalsh(handle(a), err, ERR), err);
    }

    private static long handle(NDArray x) {
        if (!(x instanceof PtNDArray pt)) {
            throw new IllegalArgumentException("fused kernels take PyTorch-engine arrays, not " + x.getClass());
        }
        return pt.getHandle();
    }

    private static long[] handles(List<NDArray> arrays) {
        long[] h = new long[arrays.size()];
        for (int i = 0; i < h.length; i++) {
            h[i] = handle(arrays.get(i));
        }
        return h;
    }

    /** A new handle from the shim as an array of {@code manager}; 0 means the shim failed. */
    private static NDArray wrap(NDManager manager, long result, byte[] err) {
        check(result == 0 ? -1 : 0, err);
        return new PtNDArray((PtNDManager) manager, result);
    }

    /** Throws what the shim wrote into {@code err} unless {@code status} is 0. */
    private static void check(int status, byte[] err) {
        if (status != 0) {
            throw new IllegalStateException(KernelShim.text(err));
        }
    }
}
