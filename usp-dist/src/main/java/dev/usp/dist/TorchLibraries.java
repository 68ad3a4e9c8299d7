package dev.usp.dist;

import com.sun.jna.Native;
import dev.usp.core.engine.NativeShims;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads, once per JVM, what {@link C10dCollectives} calls: DJL's libtorch (through DJL's PyTorch
 * engine), the shim from this jar, and the presets' JNI library {@code libjnitorch.so} alone; and,
 * for {@link Backend#NCCL}, resolves the shim's NCCL symbols in the loaded {@code libtorch_cuda.so}.
 *
 * <p>Nothing has to be passed on the command line. The presets are not loaded the JavaCPP way
 * ({@code Loader.load}), which would bring their own libtorch (two libtorch copies abort), or with
 * {@code pathsFirst} DJL's libtorch plus a second OpenMP runtime ({@code libgomp.so.1}), OpenBLAS,
 * libgfortran and libquadmath that nothing here calls. {@code libjnitorch.so} needs only
 * {@code libtorch_cpu.so} and {@code libc10.so} (its DT_NEEDED), which the dynamic loader finds
 * already loaded by their sonames, so it is loaded with {@link System#load} while
 * {@code org.bytedeco.javacpp.loadLibraries} is false, and the presets classes this module uses are
 * initialised in that window, where their {@code static { Loader.load(); }} does nothing. The CPU
 * jar's {@code libjnitorch.so} serves a CUDA libtorch too: it imports the same 5,062 symbols as the
 * GPU jar's, all of them exported by the GPU build's {@code libtorch_cpu.so} and {@code libc10.so}.
 */
final class TorchLibraries {

    private static final Logger LOG = LoggerFactory.getLogger(TorchLibraries.class);

    /** The only libtorch version the shim's layouts are written for. */
    static final String TORCH_VERSION = NativeShims.TORCH_VERSION;

    private static final String SHIM_RESOURCE = "/dev/usp/dist/native/linux-x86_64/libuspshim.so";
    private static final String LOAD_LIBRARIES = "org.bytedeco.javacpp.loadLibraries";

    /**
     * Every presets class this module touches or receives from a native call, initialised while loading
     * is off. One initialised later would run {@code Loader.load} and bring the presets' own libtorch,
     * which aborts the JVM; the two-rank tests check that only DJL's libraries and libjnitorch.so are mapped.
     */
    private static final List<String> PRESETS_CLASSES = List.of(
            "org.bytedeco.javacpp.Pointer", "org.bytedeco.javacpp.PointerScope", "org.bytedeco.javacpp.BytePointer",
            "org.bytedeco.pytorch.global.torch", "org.bytedeco.pytorch.TensorBase", "org.bytedeco.pytorch.Tensor",
            "org.bytedeco.pytorch.TensorVector",
            "org.bytedeco.pytorch.AllreduceOptions", "org.bytedeco.pytorch.BroadcastOptions",
            "org.bytedeco.pytorch.BarrierOptions", "org.bytedeco.pytorch.ReduceOp", "org.bytedeco.pytorch.Work",
            "org.bytedeco.pytorch.ProcessGroupGloo", "org.bytedeco.pytorch.ProcessGroupGloo$Options",
            "org.bytedeco.pytorch.DistributedBackend", "org.bytedeco.pytorch.DistributedBackend$Options",
            "org.bytedeco.pytorch.GlooDeviceVector", "org.bytedeco.pytorch.gloo.Device",
            "org.bytedeco.pytorch.NoGradGuard", "org.bytedeco.pytorch.CustomClassHolder");

    private static Shim shim;
    private static String failure;
    private static boolean ncclReady;
    private static String ncclFailure;

    private TorchLibraries() {
    }

    /**
     * The shim, ready; loads everything on the first call.
     *
     * @throws IllegalStateException naming what is wrong (platform, libtorch version, a missing
     *     symbol, a layout check), on this and every later call
     */
    static synchronized Shim shim() {
        if (shim == null && failure == null) {
            try {
                shim = load();
            } catch (IllegalStateException | UnsatisfiedLinkError | UncheckedIOException e) {
                failure = e.getMessage();
            }
        }
        if (failure != null) {
            throw new IllegalStateException("c10d/Gloo is not available in this JVM: " + failure);
        }
        return shim;
    }

    /**
     * The shim, ready for {@code backend}: {@link #shim()}, then for NCCL its symbols resolved in the
     * loaded {@code libtorch_cuda.so} (once).
     *
     * @throws IllegalStateException naming what is wrong, on this and every later call
     */
    static synchronized Shim shim(Backend backend) {
        Shim ready = shim();
        if (backend == Backend.NCCL && !ncclReady && ncclFailure == null) {
            try {
                Path cuda = NativeShims.loadedLibrary(backend.library());
                byte[] err = new byte[4096];
                if (ready.usp_init_backend(backend.id(), cuda.toString(), err, err.length) != 0) {
                    throw new IllegalStateException(text(err));
                }
                LOG.debug("c10d/NCCL ready on {} (ProcessGroupNCCL of {} bytes)", cuda,
                        ready.usp_group_bytes(backend.id()));
                ncclReady = true;
            } catch (IllegalStateException e) {
                ncclFailure = e.getMessage();
            }
        }
        if (backend == Backend.NCCL && ncclFailure != null) {
            throw new IllegalStateException("c10d/NCCL is not available in this JVM: " + ncclFailure);
        }
        return ready;
    }

    private static Shim load() {
        NativeShims.requireSupportedLibtorch("usp-dist's c10d shim");
        Path torchCpu = NativeShims.loadedLibrary("libtorch_cpu.so");
        Shim loaded = loadShim();
        byte[] err = new byte[4096];
        if (loaded.usp_init(torchCpu.toString(), err, err.length) != 0) {
            throw new IllegalStateException(text(err));
        }
        loadPresetsJni();
        long[] options = new long[1];
        long[] group = new long[1];
        loaded.usp_sizes(options, group);
        long presetsOptions = Loader.sizeof(org.bytedeco.pytorch.ProcessGroupGloo.Options.class);
        long presetsGroup = Loader.sizeof(org.bytedeco.pytorch.ProcessGroupGloo.class);
        if (options[0] != presetsOptions || group[0] != presetsGroup) {
            throw new IllegalStateException("the shim allocates " + options[0] + " and " + group[0]
                    + " bytes for ProcessGroupGloo::Options and ProcessGroupGloo, the presets' compiled sizes are "
                    + presetsOptions + " and " + presetsGroup);
        }
        if (!NativeShims.loadedLibrary("libtorch_cpu.so").equals(torchCpu)) {
            throw new IllegalStateException("a second libtorch_cpu.so was loaded beside DJL's " + torchCpu);
        }
        LOG.debug("c10d/Gloo ready on {}", torchCpu);
        return loaded;
    }

    /**
     * A fresh copy of the shim: copied out of the jar to a temporary file, loaded, and the file removed
     * at once (the mapping stays), so that no file is left behind even by a killed JVM.
     */
    static Shim loadShim() {
        return NativeShims.extractAndLoad(TorchLibraries.class, SHIM_RESOURCE,
                file -> Native.load(file.toString(), Shim.class));
    }

    private static void loadPresetsJni() {
        String before = System.getProperty(LOAD_LIBRARIES);
        System.setProperty(LOAD_LIBRARIES, "false");
        try {
            File jni = Loader.cacheResource(torch.class, "linux-x86_64/libjnitorch.so");
            if (jni == null) {
                throw new IllegalStateException("the presets jar org.bytedeco:pytorch:" + TORCH_VERSION
                        + "-1.5.12:linux-x86_64 is not on the classpath (no libjnitorch.so)");
            }
            System.load(jni.getAbsolutePath());
            ClassLoader loader = TorchLibraries.class.getClassLoader();
            for (String name : PRESETS_CLASSES) {
                Class.forName(name, true, loader);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the presets' libjnitorch.so", e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the presets jar org.bytedeco:pytorch lacks " + e.getMessage(), e);
        } finally {
            if (before == null) {
                System.clearProperty(LOAD_LIBRARIES);
            } else {
                System.setProperty(LOAD_LIBRARIES, before);
            }
        }
    }

    /** The NUL-terminated text the shim wrote into {@code err}. */
    static String text(byte[] err) {
        int end = 0;
        while (end < err.length && err[end] != 0) {
            end++;
        }
        return new String(err, 0, end, StandardCharsets.UTF_8);
    }
}
