package dev.usp.dist;

import ai.djl.engine.Engine;
import dev.usp.core.engine.NativeShims;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fresh copy of the shim refuses, with the reason, every library that is not a loaded libtorch 2.7.1,
 * and NCCL in a libtorch without it.
 */
class ShimRefusesTest {

    private static Shim shim;

    @BeforeAll
    static void loadAFreshShim() {
        Engine.getEngine("PyTorch");
        shim = TorchLibraries.loadShim();
    }

    @Test
    void nothingBeforeInit() {
        byte[] err = new byte[512];
        assertNull(shim.usp_tcpstore_new("127.0.0.1", 1, 1, 1, 1000, err, err.length));
        assertEquals("usp_init has not succeeded", TorchLibraries.text(err));
    }

    @Test
    void aLibraryThatIsNotLoaded() {
        byte[] err = new byte[512];
        assertEquals(-1, shim.usp_init("/nowhere/libtorch_cpu.so", err, err.length));
        assertTrue(TorchLibraries.text(err).startsWith("/nowhere/libtorch_cpu.so is not loaded in this process"),
                TorchLibraries.text(err));
    }

    @Test
    void aLoadedLibraryWithoutC10d() {
        byte[] err = new byte[4096];
        String c10 = NativeShims.loadedLibrary("libc10.so").toString();
        assertEquals(-1, shim.usp_init(c10, err, err.length));
        String message = TorchLibraries.text(err);
        assertTrue(message.startsWith(c10 + " lacks symbols of libtorch 2.7.1's c10d: _ZN2at11show_config"), message);
        assertTrue(message.contains("_ZN4c10d16ProcessGroupGloo9allreduce"), message);
    }

    @Test
    void ncclInALibraryWithoutIt() {
        Shim shim = TorchLibraries.loadShim();  // its own copy: this one's usp_init succeeds
        byte[] err = new byte[4096];
        String cpu = NativeShims.loadedLibrary("libtorch_cpu.so").toString();
        assertEquals(-1, shim.usp_init_backend(1, cpu, err, err.length));
        assertEquals("usp_init has not succeeded", TorchLibraries.text(err));
        assertEquals(0, shim.usp_init(cpu, err, err.length), TorchLibraries.text(err));
        assertEquals(0x1c8, shim.usp_group_bytes(0));
        assertEquals(-1, shim.usp_init_backend(1, cpu, err, err.length));
        String message = TorchLibraries.text(err);
        assertTrue(message.startsWith(cpu + " lacks symbols of libtorch 2.7.1's ProcessGroupNCCL: "
                + "_ZN4c10d16ProcessGroupNCCL7OptionsC1Eb, _ZTVN4c10d16ProcessGroupNCCL7OptionsE, "), message);
        assertTrue(message.contains("_ZN4c10d16ProcessGroupNCCL7barrierERKNS_14BarrierOptionsE"), message);
        assertEquals(0, shim.usp_group_bytes(1));
        assertEquals(-1, shim.usp_init_backend(0, cpu, err, err.length));
    }
}
