package dev.usp.core.engine;

import ai.djl.engine.Engine;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The native half of {@link Kernels}: {@code libuspkernels.so} (built from {@code src/main/native} by
 * {@code mvn compile} and shipped in this jar), bound with JNA's direct mapping, whose calls cost well
 * under a microsecond. Handles are DJL's {@code torch::Tensor*}; a non-zero result is a new handle the
 * caller wraps, zero an error written into {@code err}.
 */
final class KernelShim {

    static final String TORCH_VERSION = "2.7.1";
    private static final String RESOURCE = "/dev/usp/core/native/linux-x86_64/libuspkernels.so";

    private static String failure;
    private static boolean loaded;

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

    private static void bind() {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (!"Linux".equals(os) || !"amd64".equals(arch)) {
            throw new IllegalStateException("the kernel shim is built for linux-x86_64 only, not " + os + "/" + arch);
        }
        String version = Engine.getEngine("PyTorch").getVersion();
        if (!TORCH_VERSION.equals(version)) {
            throw new IllegalStateException("DJL runs libtorch " + version + "; the kernel shim is checked on "
                    + TORCH_VERSION + " only");
        }
        String torchCpu = OneDnn.loadedLibtorch();
        try (InputStream in = KernelShim.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("this jar holds no " + RESOURCE + " (built without g++?)");
            }
            // Copied out, loaded, and the file removed at once (the mapping stays): nothing is left behind.
            Path file = Files.createTempFile("usp-kernels", ".so");
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                Native.register(KernelShim.class, NativeLibrary.getInstance(file.toString()));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + RESOURCE, e);
        }
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
