package dev.usp.core.engine;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * libtorch's oneDNN (mkldnn) switch, {@code torch.backends.mkldnn.enabled} in Python.
 *
 * <p>DJL does not expose it, so this class calls {@code at::globalContext().setUserEnabledMkldnn(bool)}
 * through JNA in the {@code libtorch_cpu} library that DJL loaded (found in {@code /proc/self/maps}).
 * The two functions are looked up by their Itanium-ABI names, which every libtorch 2.x build for
 * Linux x86-64 exports. With the switch off, libtorch computes float32 convolutions (forward and
 * both gradients) with its native im2col + BLAS kernels instead of oneDNN's JIT kernels; no other
 * operation this project uses goes through oneDNN on dense CPU tensors.
 */
final class OneDnn {

    private static final String LIBRARY = "libtorch_cpu.so";
    private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    private static final String SET_ENABLED = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private static final String ENABLED = "_ZNK2at7Context17userEnabledMkldnnEv";

    private OneDnn() {
    }

    /** Whether libtorch may use oneDNN (its default is true). */
    static boolean enabled() {
        return (function(ENABLED).invokeInt(new Object[] {context()}) & 0xff) != 0;
    }

    /** Turns libtorch's use of oneDNN on or off for the whole process. */
    static void setEnabled(boolean on) {
        function(SET_ENABLED).invokeVoid(new Object[] {context(), on});
        if (enabled() != on) {
            throw new IllegalStateException("libtorch ignored setUserEnabledMkldnn(" + on + ") in " + library());
        }
    }

    private static Pointer context() {
        return function(GLOBAL_CONTEXT).invokePointer(new Object[0]);
    }

    private static Function function(String symbol) {
        try {
            return Holder.LIB.getFunction(symbol);
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException(library() + " has no symbol " + symbol
                    + ": this libtorch build cannot switch oneDNN off; use libtorch 2.7.1 for Linux x86-64", e);
        }
    }

    private static String library() {
        return Holder.LIB.getFile() == null ? LIBRARY : Holder.LIB.getFile().toString();
    }

    /** The loaded libtorch_cpu, resolved once the engine has loaded it. */
    private static final class Holder {
        static final NativeLibrary LIB = NativeLibrary.getInstance(NativeShims.loadedLibrary(LIBRARY).toString());
    }
}
