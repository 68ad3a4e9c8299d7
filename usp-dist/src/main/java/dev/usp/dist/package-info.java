/**
 * Multi-process training through PyTorch's own collectives (issue 16):
 * {@link dev.usp.dist.C10dCollectives} implements {@link dev.usp.train.distributed.Collectives} with
 * c10d's TCPStore and a process group inside the libtorch 2.7.1 that DJL loaded, on DJL's float32
 * arrays in place (DDP's 25 MiB buckets for small arrays): {@code ProcessGroupGloo} on CPU arrays,
 * or {@code ProcessGroupNCCL} on arrays on {@code cuda:LOCAL_RANK} ({@link dev.usp.dist.Backend}).
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
 * binding and no ProcessGroupNCCL, and their JNI frees every intrusive-pointer object it returns (the
 * group's options, the group, the {@code Work} of a collective) as soon as the call returns. The shim
 * ({@code src/main/native/uspshim.cpp}, built by {@code mvn compile} with g++, shipped in the jar for
 * linux-x86_64) creates those objects and holds one reference to each, released in
 * {@link dev.usp.dist.C10dCollectives#close()} (the Work after each wait). With no libtorch headers
 * on the build machine it calls libtorch's exported symbols by their mangled names (one table per
 * backend, the names g++ gives declarations shaped like 2.7.1's headers: {@code src/test/native}),
 * and hard-codes: the {@code intrusive_ptr_target} layout (vptr, 32-bit strong and weak counts at 8
 * and 12, the destructor and {@code release_resources} vtable slots), {@code c10d::TCPStoreOptions}
 * (56 bytes), {@code Backend::Options::timeout} at 16, and the sizes of TCPStore (0xd8),
 * ProcessGroupGloo (0x1c8) and its Options (88). Each is checked, at build time (static_asserts) or at
 * run time: the libtorch must say {@code TORCH_VERSION=2.7.1} and export every symbol; the deleting
 * destructors of TCPStore and each group must free the size the shim allocates (read from their code:
 * ProcessGroupNCCL's size is taken from there); an Options is built in a 1 KiB arena whose bytes the
 * constructor changed must lie inside it (exactly 88 for Gloo, also the presets' compiled sizeof) and
 * which the shim frees itself; each object's vtable and destructors must be its class's, the Options'
 * reference count must read 2 once the group holds it, the timeout must sit at 16. A failed check
 * is a {@link dev.usp.train.distributed.CollectiveException} naming it, never a crash. The source's
 * head comment says how each layout was found.
 *
 * <p><b>NCCL: built, not run.</b> {@code C10dCollectives.connect(env, timeout, device)} takes NCCL
 * when the rank's device is a GPU and DJL's engine has CUDA ({@code usp}: {@code --device gpu} in a
 * job), refusing GPU arrays on a libtorch without CUDA with a message that names it; arrays must be
 * on {@code cuda:LOCAL_RANK}, buckets are flattened there, and {@code Work.wait} only orders the CUDA
 * stream (a host read synchronises). The shim then resolves the NCCL table in the mapped
 * {@code libtorch_cuda.so}, reads ProcessGroupNCCL's size from its D0, builds its Options (2.7.1's
 * default timeout must read 600000 ms at offset 16 before the job's is written) and applies the
 * same vtable, destructor and reference-count checks, refusing with a clear error if any differs.
 * What is verified and what is assumed: the Gloo half of the table and every Gloo layout run here;
 * the NCCL half is only what g++ mangles from the declarations (ProcessGroupNCCL's constructor in
 * both forms seen across releases, store by {@code const&} or by value, either taken), because no
 * libtorch 2.7.1 with NCCL could be read: the presets' GPU jar ({@code linux-x86_64-gpu}) is built
 * without NCCL (no ProcessGroupNCCL symbol, no NCCL code; {@code src/test/native/observed-2.7.1.txt}),
 * DJL's cu128 build is not on Maven Central, and no GPU was at hand. It is assumed that DJL's cu128
 * libtorch (PyTorch's own build) exports ProcessGroupNCCL with default visibility, that its D0 has
 * GCC's usual shape, and that its Options' layout starts like Gloo's; the shim refuses rather than
 * guesses if any of these fails. The shim's NCCL bookkeeping itself (the by-value constructor, the
 * size from the D0, the Options arena and timeout, every reference taken and given back, a
 * constructor's exception) runs here on a stand-in library ({@code FakeNcclTest}); no NCCL
 * communication has run. The presets' GPU jar is not needed: the CPU jar's
 * {@code libjnitorch.so} imports the same symbols, all exported by a CUDA build's
 * {@code libtorch_cpu.so}. {@code src/test/native/c10d-symbols.sh LIB} checks the table against a
 * library. NCCL reads its own variables ({@code NCCL_SOCKET_IFNAME}, {@code NCCL_DEBUG}); c10d's NCCL
 * watchdog enforces the timeout and, with PyTorch's default {@code TORCH_NCCL_ASYNC_ERROR_HANDLING=3},
 * ends the process on a lost peer instead of raising (assumed from PyTorch's documentation, not run).
 */
package dev.usp.dist;
