package dev.usp.core.engine;

import ai.djl.engine.Engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Function;

/**
 * What loading one of this project's C++ shims takes (usp-core's kernel shim, usp-dist's c10d shim):
 * the platform and libtorch checks, and the library copied out of its jar and loaded.
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
