package dev.usp.core.engine;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The native half of {@link Kernels} and {@link InferenceMode}: {@code libuspkernels.so} (built from
 * {@code src/main/native} by {@code mvn compile} and shipped in this jar), bound with JNA's direct
 * mapping, whose calls cost well under a microsecond. Handles are DJL's {@code torch::Tensor*}; a
 * non-zero result is a new handle the caller wraps, zero an error written into {@code err}.
 */
final class KernelShim {

    private static final String RESOURCE = "/dev/usp/core/native/linux-x86_64/libuspkernels.so";

    private static String failure;
    private static boolean loaded;
    private static String torchCpu;

    private KernelShim() {
    }

    static native int usp_kernels_init(String torchCpu, byte[] err, int errlen);

    static native long usp_gelu(long x, int tanh, byte[] err, int errlen);

    static native long usp_silu(long x, byte[] err, int errlen);

    static native long usp_group_norm(long x, long groups, long weight, long bias, double eps, byte[] err, int errlen);

    static native long usp_sdpa(long q, long k, long v, double scale, byte[] err, int errlen);

    static native int usp_fused_adamw(long[] params, long[] grads, long[] expAvgs, long[] expAvgSqs, long[] steps,
            long n, double lr, double beta1, double beta2, double weightDecay, double eps, byte[] err, int errlen);

    static native int usp_foreach_zero(long[] tensors, long n, byte[] err, int errlen);

    static native long usp_linalg_eigvalsh(long a, byte[] err, int errlen);

    static native int usp_inference_init(String torchCpu, byte[] err, int errlen);

    static native int usp_inference_enter();

    static native void usp_inference_exit(int token);

    static native int usp_inference_enabled();

    /**
     * Loads and binds the shim once; null when ready, else why not (platform, libtorch version, a
     * missing operator), the same text on every later call.
     */
    static synchronized String load() {
        if (!loaded && failure == null) {
            try {
                bind();
                loaded = true;
            } catch (IllegalStateException | UnsatisfiedLinkError | UncheckedIOException e) {
                failure = e.getMessage();
            }
        }
        return failure;
    }

    /** The path of the libtorch_cpu the shim was bound against; only after {@link #load()} returned null. */
    static synchronized String torchCpu() {
        return torchCpu;
    }

    private static void bind() {
        NativeShims.requireSupportedLibtorch("the kernel shim");
        torchCpu = NativeShims.loadedLibrary("libtorch_cpu.so").toString();
        NativeShims.extractAndLoad(KernelShim.class, RESOURCE, file -> {
            Native.register(KernelShim.class, NativeLibrary.getInstance(file.toString()));
            return null;
        });
        byte[] err = new byte[1024];
        if (usp_kernels_init(torchCpu, err, err.length) != 0) {
            throw new IllegalStateException(torchCpu + " " + text(err));
        }
    }

    /** The first line of the NUL-terminated text the shim wrote into {@code err} (c10 appends a backtrace). */
    static String text(byte[] err) {
        int end = 0;
        while (end < err.length && err[end] != 0 && err[end] != '\n') {
            end++;
        }
        return new String(err, 0, end, StandardCharsets.UTF_8);
    }
}
