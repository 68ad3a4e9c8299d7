package dev.usp.dist;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import dev.usp.train.distributed.ProcessGroupEnv;

/**
 * The c10d backend a job's collectives run on: the process group class, the libtorch library that
 * exports it, and the device its arrays live on. Both run through the same shim, store, buckets and
 * Work handling ({@link C10dCollectives}); only this table differs.
 */
public enum Backend {

    /** {@code ProcessGroupGloo} of {@code libtorch_cpu.so}: float32 CPU arrays, any libtorch 2.7.1. */
    GLOO(0, "libtorch_cpu.so", "ProcessGroupGloo"),

    /**
     * {@code ProcessGroupNCCL} of a CUDA libtorch 2.7.1's {@code libtorch_cuda.so}: float32 arrays on
     * {@code cuda:LOCAL_RANK}. Its symbols are not checked against a real library yet (package doc).
     */
    NCCL(1, "libtorch_cuda.so", "ProcessGroupNCCL");

    private final int id;
    private final String library;
    private final String group;

    Backend(int id, String library, String group) {
        this.id = id;
        this.library = library;
        this.group = group;
    }

    /** The shim's number for this backend. */
    int id() {
        return id;
    }

    /** The file name of the libtorch library that exports this backend's process group. */
    public String library() {
        return library;
    }

    /** The c10d class of this backend's process group. */
    public String group() {
        return group;
    }

    /** The device this rank's arrays must be on: the CPU for Gloo, {@code gpu(LOCAL_RANK)} for NCCL. */
    public Device device(ProcessGroupEnv env) {
        return this == GLOO ? Device.cpu() : Device.gpu(env.localRank());
    }

    /**
     * The backend for arrays on {@code arrays}: NCCL for a GPU, Gloo otherwise.
     *
     * @param cudaLibtorch whether DJL's PyTorch engine runs a CUDA build of libtorch
     * @throws IllegalStateException for GPU arrays without a CUDA libtorch, naming what is missing
     */
    public static Backend choose(Device arrays, boolean cudaLibtorch) {
        if (arrays == null || !Device.Type.GPU.equals(arrays.getDeviceType())) {
            return GLOO;
        }
        if (!cudaLibtorch) {
            throw new IllegalStateException("arrays on " + arrays + " need c10d's ProcessGroupNCCL, which only a CUDA "
                    + "build of libtorch 2.7.1 has (libtorch_cuda.so with NCCL): DJL's PyTorch engine runs one "
                    + "without CUDA; set PYTORCH_FLAVOR=cu128 (or PYTORCH_LIBRARY_PATH to a CUDA libtorch 2.7.1) "
                    + "or train on the CPU with Gloo");
        }
        return NCCL;
    }

    /** {@link #choose(Device, boolean)} with what DJL's PyTorch engine reports. */
    public static Backend choose(Device arrays) {
        return choose(arrays, Engine.getEngine("PyTorch").hasCapability(StandardCapabilities.CUDA));
    }
}
