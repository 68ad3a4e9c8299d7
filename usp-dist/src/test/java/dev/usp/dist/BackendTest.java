package dev.usp.dist;

import ai.djl.Device;
import dev.usp.train.distributed.CollectiveException;
import dev.usp.train.distributed.ProcessGroupEnv;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which backend a rank takes, the device it keeps its arrays on, and the refusals on this CPU-only libtorch. */
class BackendTest {

    @Test
    void cpuArraysTakeGlooWhateverTheLibtorch() {
        assertEquals(Backend.GLOO, Backend.choose(Device.cpu(), false));
        assertEquals(Backend.GLOO, Backend.choose(Device.cpu(), true));
        assertEquals(Backend.GLOO, Backend.choose(Device.cpu()));
    }

    @Test
    void gpuArraysTakeNcclOnACudaLibtorchAndStayOnTheLocalRanksGpu() {
        assertEquals(Backend.NCCL, Backend.choose(Device.gpu(1), true));
        ProcessGroupEnv env = new ProcessGroupEnv(5, 8, 1, "node0", 29500);
        assertEquals(Device.gpu(1), Backend.NCCL.device(env));
        assertEquals(Device.cpu(), Backend.GLOO.device(env));
        assertEquals("libtorch_cuda.so", Backend.NCCL.library());
        assertEquals("libtorch_cpu.so", Backend.GLOO.library());
    }

    @Test
    void gpuArraysWithoutACudaLibtorchNameWhatIsMissing() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backend.choose(Device.gpu(0), false));
        assertTrue(e.getMessage().startsWith("arrays on gpu(0) need c10d's ProcessGroupNCCL, which only a CUDA build "
                + "of libtorch 2.7.1 has"), e.getMessage());
        assertTrue(e.getMessage().contains("PYTORCH_FLAVOR=cu128"), e.getMessage());
    }

    @Test
    void connectingGpuArraysOnThisCpuLibtorchFailsBeforeTheStore() throws IOException {
        int port = Ports.free();
        CollectiveException e = assertThrows(CollectiveException.class, () -> C10dCollectives.connect(
                new ProcessGroupEnv(0, 2, 0, "127.0.0.1", port), Duration.ofSeconds(2), Device.gpu(0)));
        assertTrue(e.getMessage().startsWith("rank 0 of 2: connect failed: arrays on gpu(0) need c10d's "
                + "ProcessGroupNCCL"), e.getMessage());
    }

    @Test
    void ncclAskedForExplicitlyOnThisCpuLibtorchSaysThereIsNoLibtorchCuda() throws IOException {
        int port = Ports.free();
        CollectiveException e = assertThrows(CollectiveException.class, () -> C10dCollectives.connect(
                new ProcessGroupEnv(0, 2, 0, "127.0.0.1", port), Duration.ofSeconds(2), Backend.NCCL));
        assertEquals("rank 0 of 2: connect failed: c10d/NCCL is not available in this JVM: DJL's PyTorch engine is "
                + "loaded but no libtorch_cuda.so is mapped in this process (a libtorch without CUDA)", e.getMessage());
    }
}
