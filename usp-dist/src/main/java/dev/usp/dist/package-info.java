/**
 * Multi-process training through PyTorch's own collectives (issue 16):
 * {@link dev.usp.dist.GlooCollectives} implements {@link dev.usp.train.distributed.Collectives} with
 * c10d's TCPStore and {@code ProcessGroupGloo}, inside the libtorch 2.7.1 that DJL loaded, on DJL's
 * float32 CPU arrays in place (DDP's 25 MiB buckets for small arrays).
 *
 * <p><b>Optional module.</b> A job of one process needs none of it
 * ({@link dev.usp.train.distributed.Collectives#single()}); only a job of several depends on
 * {@code usp-dist}, which brings JavaCPP's PyTorch presets ({@code org.bytedeco:pytorch:2.7.1-1.5.12},
 * an 84 MB native jar). Of that jar only {@code libjnitorch.so} is loaded, on DJL's
 * {@code libtorch_cpu.so}: never the presets' own libtorch (two copies abort), OpenBLAS or their
 * second OpenMP runtime; no JVM option is needed ({@code TorchLibraries} says how).
 *
 * <p><b>Why a native shim.</b> The presets 1.5.12 give Tensor, TensorVector, the collective options,
 * {@code Work.wait} and the Gloo devices, all compiled against the 2.7.1 headers, but no TCPStore
 * binding, and their JNI frees every intrusive-pointer object it returns (the group's options, the
 * group, the {@code Work} of a collective) as soon as the call returns. The shim
 * ({@code src/main/native/uspshim.cpp}, built by {@code mvn compile} with g++, shipped in the jar for
 * linux-x86_64) creates those objects and holds one reference to each, released in
 * {@link dev.usp.dist.GlooCollectives#close()} (the Work after each wait). With no libtorch headers
 * on the build machine it calls libtorch's exported symbols by their mangled names, and hard-codes:
 * the {@code intrusive_ptr_target} layout (vptr, 32-bit strong and weak counts at 8 and 12, the
 * destructor and {@code release_resources} vtable slots), {@code c10d::TCPStoreOptions} (56 bytes),
 * and the sizes of TCPStore (0xd8), ProcessGroupGloo (0x1c8) and its Options (88). Each is checked,
 * at build time (static_asserts) or at run time: the libtorch must say {@code TORCH_VERSION=2.7.1}
 * and export every symbol, each object's vtable and destructors must be its class's, the Options'
 * reference count must read 2 once the group holds it, and the two sizes the presets know must equal
 * theirs; a failed check is a {@link dev.usp.train.distributed.CollectiveException} naming it, never
 * a crash. The source's head comment says how each layout was found.
 *
 * <p><b>NCCL.</b> With a CUDA libtorch under DJL the same code would run {@code ProcessGroupNCCL}:
 * the shim's symbol table would take {@code libtorch_cuda.so} and NCCL's constructor, Options (its
 * own constructor and size, read from its D0 destructor as here) and allreduce/broadcast/barrier
 * symbols, which have Gloo's signatures; the presets' GPU build ({@code linux-x86_64-gpu}) would
 * supply {@code libjnitorch.so}; each rank would take {@code cuda:LOCAL_RANK}, arrays would stay on
 * the GPU (buckets too), and {@code Work.wait} only orders the CUDA stream, so the result is
 * complete for later GPU work but a host read must synchronise. No device selection replaces
 * {@code GLOO_SOCKET_IFNAME}. It is not built: there is no GPU here to test it.
 */
package dev.usp.dist;
