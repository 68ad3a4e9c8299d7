package dev.usp.dist;

import com.sun.jna.Library;
import com.sun.jna.Pointer;

/**
 * The native shim {@code src/main/native/uspshim.cpp} through JNA. Functions that create an object
 * return it with one reference owned by the caller, or null with the reason in {@code err};
 * {@link #usp_release} (an Options: {@link #usp_options_release}) drops a reference. A
 * {@code backend} argument is {@link Backend#id()}. Loaded only by {@link TorchLibraries}.
 */
interface Shim extends Library {

    /** Resolves TCPStore's and Gloo's symbols in DJL's {@code libtorch_cpu.so} and checks that it is 2.7.1; 0 or -1. */
    int usp_init(String torchCpu, byte[] err, int errlen);

    /** Resolves NCCL's symbols in the loaded {@code libtorch_cuda.so}, after {@link #usp_init}; 0 or -1. */
    int usp_init_backend(int backend, String library, byte[] err, int errlen);

    /** The mangled name the shim looks up for a backend's role (0..8), 9 the alternative constructor ("" if none). */
    String usp_symbol(int backend, int role);

    /** The name of role 0..8 of {@link #usp_symbol}. */
    String usp_role(int role);

    /** The byte sizes the shim allocates for ProcessGroupGloo::Options and ProcessGroupGloo. */
    void usp_sizes(long[] options, long[] group);

    /** The size a resolved backend's group is allocated with, read from its deleting destructor; 0 if unresolved. */
    long usp_group_bytes(int backend);

    /** A c10d::TCPStore at host:port, the server when {@code isServer} is 1. */
    Pointer usp_tcpstore_new(String host, int port, int isServer, int numWorkers, long timeoutMs, byte[] err,
            int errlen);

    /** A backend's Options with the timeout (Gloo: no device yet). */
    Pointer usp_options_new(int backend, long timeoutMs, byte[] err, int errlen);

    /** The backend's process group over the store. */
    Pointer usp_group_new(int backend, Pointer store, int rank, int size, Pointer options, byte[] err, int errlen);

    /** Starts allreduce ({@code which} 0) or broadcast (1) of a std::vector&lt;at::Tensor&gt;; returns the Work. */
    Pointer usp_collective(int backend, int which, Pointer group, Pointer tensors, Pointer opts, byte[] err,
            int errlen);

    /** Starts a barrier; returns the Work. */
    Pointer usp_barrier(int backend, Pointer group, Pointer opts, byte[] err, int errlen);

    /** Drops the caller's reference to an Options from {@link #usp_options_new}. */
    void usp_options_release(Pointer options);

    /** Drops one reference, destroying the object with the last. */
    void usp_release(Pointer p);

    /** The strong reference count of an object the shim made. */
    int usp_refcount(Pointer p);
}
