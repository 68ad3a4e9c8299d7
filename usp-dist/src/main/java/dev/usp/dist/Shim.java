package dev.usp.dist;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * The native shim {@code src/main/native/uspshim.cpp} through JNA. Functions that create an object
 * return it with one reference owned by the caller, or null with the reason in {@code err};
 * {@link #usp_release} drops a reference. Loaded only by {@link TorchLibraries}.
 */
interface Shim extends Library {

    /** Resolves the c10d symbols in DJL's {@code libtorch_cpu.so} and checks that it is 2.7.1; 0 or -1. */
    int usp_init(String torchCpu, byte[] err, int errlen);

    /** The byte sizes the shim allocates for ProcessGroupGloo::Options and ProcessGroupGloo. */
    void usp_sizes(long[] options, long[] group);

    /** A c10d::TCPStore at host:port, the server when {@code isServer} is 1. */
    Pointer usp_tcpstore_new(String host, int port, int isServer, int numWorkers, long timeoutMs, byte[] err,
            int errlen);

    /** A ProcessGroupGloo::Options with the timeout and no device. */
    Pointer usp_gloo_options_new(long timeoutMs, byte[] err, int errlen);

    /** A ProcessGroupGloo over the store, connected to every peer. */
    Pointer usp_gloo_group_new(Pointer store, int rank, int size, Pointer options, byte[] err, int errlen);

    /** Starts allreduce ({@code which} 0) or broadcast (1) of a std::vector&lt;at::Tensor&gt;; returns the Work. */
    Pointer usp_gloo_collective(int which, Pointer group, Pointer tensors, Pointer opts, byte[] err, int errlen);

    /** Starts a barrier; returns the Work. */
    Pointer usp_gloo_barrier(Pointer group, Pointer opts, byte[] err, int errlen);

    /** Drops one reference, destroying the object with the last. */
    void usp_release(Pointer p);

    /** The strong reference count of an object the shim made. */
    int usp_refcount(Pointer p);
}
