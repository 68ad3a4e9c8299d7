package dev.usp.core.engine;

import ai.djl.engine.Engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Function;

/**
 * What loading one of this project's C++ shims takes (usp-core's kernel shim, usp-dist's c10d shim):
 * the platform and libtorch checks, the libtorch libraries DJL mapped, and the library copied out of
 * its jar and loaded.
 */
public final class NativeShims {

    /** The only libtorch version the shims are written and checked for. */
    public static final String TORCH_VERSION = "2.7.1";

    private NativeShims() {
    }

    /**
     * Refuses anything but Linux x86-64 with DJL running libtorch {@value #TORCH_VERSION}.
     *
     * @param what the shim, for the message (e.g. "the kernel shim")
     * @throws IllegalStateException naming the platform or the libtorch version found
     */
    public static void requireSupportedLibtorch(String what) {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (!"Linux".equals(os) || !"amd64".equals(arch)) {
            throw new IllegalStateException(what + " is built for linux-x86_64 only, not " + os + "/" + arch);
        }
        String version = Engine.getEngine("PyTorch").getVersion();
        if (!TORCH_VERSION.equals(version)) {
            throw new IllegalStateException("DJL runs libtorch " + version + "; " + what + " is checked on "
                    + TORCH_VERSION + " only");
        }
    }

    /**
     * The one file mapped into this process whose name is {@code name} (e.g. {@code libtorch_cpu.so}),
     * found in {@code /proc/self/maps} after DJL's PyTorch engine has loaded its libraries.
     *
     * @throws IllegalStateException if none or several are mapped
     */
    public static Path loadedLibrary(String name) {
        Engine.getEngine("PyTorch");   // loads the native libraries if nothing has yet
        List<Path> found;
        try {
            found = Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.UTF_8).stream()
                    .map(line -> line.split("\\s+", 6))
                    .filter(fields -> fields.length == 6 && fields[5].endsWith("/" + name))
                    .map(fields -> Path.of(fields[5]))
                    .distinct()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/maps", e);
        }
        if (found.size() != 1) {
            throw new IllegalStateException(found.isEmpty()
                    ? "DJL's PyTorch engine is loaded but no " + name + " is mapped in this process"
                            + (name.contains("cuda") ? " (a libtorch without CUDA)" : "")
                    : "several " + name + " are loaded in this process: " + found);
        }
        return found.get(0);
    }

    /**
     * The library at {@code resource} of {@code owner}'s jar, copied to a temporary file, loaded by
     * {@code load}, and the file removed at once (the mapping stays), so that nothing is left behind,
     * even by a killed JVM.
     *
     * @throws IllegalStateException if the jar lacks the resource (built without g++)
     */
    public static <T> T extractAndLoad(Class<?> owner, String resource, Function<Path, T> load) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the jar holds no " + resource + " (built without g++?)");
            }
            Path file = Files.createTempFile("usp-shim", ".so");
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                return load.apply(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource, e);
        }
    }
}
