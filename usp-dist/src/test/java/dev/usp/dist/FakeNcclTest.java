package dev.usp.dist;

import ai.djl.engine.Engine;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import dev.usp.core.engine.NativeShims;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shim's NCCL half on a stand-in library ({@code src/test/native/fake-nccl.cpp}, compiled here
 * with g++ and named so that {@link TorchLibraries} never mistakes it for a CUDA libtorch): the
 * by-value constructor found in place of the {@code const&} one, the group's size read from its D0,
 * the Options built in the arena with 2.7.1's default timeout replaced, every reference the group
 * takes and gives back, a constructor's exception, and each object destroyed exactly once. A real
 * TCPStore (one rank) is the store.
 */
class FakeNcclTest {

    private static final int NCCL = Backend.NCCL.id();

    @TempDir
    static Path dir;

    private static Shim shim;
    private static NativeLibrary fake;
    private static String fakePath;

    @BeforeAll
    static void buildAndLoadTheStandIn() throws IOException, InterruptedException {
        Path source = Path.of("src/test/native/fake-nccl.cpp").toAbsolutePath();
        fakePath = dir.resolve("libfake_nccl_torch_cuda.so").toString();
        Process gpp = new ProcessBuilder("g++", "-O2", "-std=c++17", "-shared", "-fPIC", "-o", fakePath,
                source.toString()).inheritIO().start();
        assertTrue(gpp.waitFor(120, TimeUnit.SECONDS) && gpp.exitValue() == 0, "g++ failed on " + source);
        fake = NativeLibrary.getInstance(fakePath);
        Engine.getEngine("PyTorch");
        shim = TorchLibraries.loadShim();  // its own copy, resolved on the stand-in
        byte[] err = new byte[4096];
        assertEquals(0, shim.usp_init(NativeShims.loadedLibrary("libtorch_cpu.so").toString(), err, err.length),
                TorchLibraries.text(err));
        assertEquals(0, shim.usp_init_backend(NCCL, fakePath, err, err.length), TorchLibraries.text(err));
    }

    private static int counter(String name) {
        return fake.getGlobalVariableAddress(name).getInt(0);
    }

    @Test
    void aGroupTakesItsReferencesRunsCollectivesAndGivesEverythingBack() throws IOException {
        byte[] err = new byte[4096];
        Pointer store = shim.usp_tcpstore_new("127.0.0.1", Ports.free(), 1, 1, 10_000, err, err.length);
        assertNotNull(store, TorchLibraries.text(err));
        Pointer options = shim.usp_options_new(NCCL, 1234, err, err.length);
        assertNotNull(options, TorchLibraries.text(err));
        assertEquals(1, counter("fake_options_alive"), "the arena's first build was destroyed, the second kept");
        assertEquals(1234, options.getLong(16), "Backend::Options::timeout");

        Pointer group = shim.usp_group_new(NCCL, store, 0, 1, options, err, err.length);
        assertNotNull(group, TorchLibraries.text(err));
        assertEquals(counter("fake_group_bytes"), shim.usp_group_bytes(NCCL), "the size read from the D0");
        assertEquals(1, counter("fake_groups_alive"));
        assertEquals(2, shim.usp_refcount(options));
        assertEquals(2, shim.usp_refcount(store));

        try (Memory tensors = new Memory(64); Memory opts = new Memory(64)) {
            for (int which = 0; which < 2; which++) {
                Pointer work = shim.usp_collective(NCCL, which, group, tensors, opts, err, err.length);
                assertNotNull(work, TorchLibraries.text(err));
                assertEquals(1, shim.usp_refcount(work));
                shim.usp_release(work);
            }
            Pointer work = shim.usp_barrier(NCCL, group, opts, err, err.length);
            assertNotNull(work, TorchLibraries.text(err));
            shim.usp_release(work);
        }
        assertEquals(3, counter("fake_collectives"));
        assertEquals(0, counter("fake_works_alive"));

        shim.usp_release(group);
        assertEquals(0, counter("fake_groups_alive"));
        assertEquals(1, shim.usp_refcount(options));
        assertEquals(1, shim.usp_refcount(store));
        shim.usp_options_release(options);
        assertEquals(0, counter("fake_options_alive"));
        shim.usp_release(store);
    }

    @Test
    void aConstructorThatThrowsLeavesEveryReferenceAsItWas() throws IOException {
        byte[] err = new byte[4096];
        Pointer store = shim.usp_tcpstore_new("127.0.0.1", Ports.free(), 1, 1, 10_000, err, err.length);
        assertNotNull(store, TorchLibraries.text(err));
        Pointer options = shim.usp_options_new(NCCL, 1000, err, err.length);
        assertNotNull(options, TorchLibraries.text(err));
        int groups = counter("fake_groups_alive");
        assertNull(shim.usp_group_new(NCCL, store, 3, 2, options, err, err.length));
        assertEquals("fake ProcessGroupNCCL: rank 3 of 2", TorchLibraries.text(err));
        assertEquals(groups, counter("fake_groups_alive"));
        assertEquals(1, shim.usp_refcount(options));
        assertEquals(1, shim.usp_refcount(store));
        shim.usp_options_release(options);
        shim.usp_release(store);
    }
}
