package dev.usp.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import dev.usp.train.distributed.CollectiveException;
import dev.usp.train.distributed.Collectives;
import dev.usp.train.distributed.ProcessGroupEnv;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.BarrierOptions;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.gloo.Device;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * {@link Collectives} through PyTorch's c10d process groups, in the libtorch DJL loaded: the same
 * TCPStore rendezvous, transport and algorithms as {@code torch.distributed} with
 * {@code backend="gloo"} on float32 CPU arrays, or {@code backend="nccl"} on float32 arrays on
 * {@code cuda:LOCAL_RANK} ({@link Backend}), in place and without copies through Java memory.
 *
 * <p>On NCCL a collective returns once c10d has ordered it before later work on the current CUDA
 * stream ({@code WorkNCCL::wait}), so later GPU work sees its result and a host read (which
 * synchronises) does too.
 *
 * <p>Every failure is a {@link CollectiveException} whose message starts with this rank and the world
 * size ({@code "rank 0 of 2: allreduce failed: lost peer rank 1 (connection closed): ..."}); after
 * one, the group refuses further collectives and only {@link #close()} is left.
 */
public final class C10dCollectives implements Collectives {

    private static final Logger LOG = LoggerFactory.getLogger(C10dCollectives.class);

    private static final int ALLREDUCE = 0;
    private static final int BROADCAST = 1;
    private static final int ERR_BYTES = 4096;

    private final ProcessGroupEnv env;
    private final Backend backend;
    private final ai.djl.Device device;
    private final Duration timeout;
    private final Shim shim;
    private final com.sun.jna.Pointer store;
    private final com.sun.jna.Pointer options;
    private final com.sun.jna.Pointer group;
    private final AllreduceOptions allreduceOptions = new AllreduceOptions();
    private final BarrierOptions barrierOptions = new BarrierOptions();
    private String failure;
    private boolean closed;

    private C10dCollectives(ProcessGroupEnv env, Backend backend, Duration timeout, Shim shim,
            com.sun.jna.Pointer store, com.sun.jna.Pointer options, com.sun.jna.Pointer group) {
        this.env = env;
        this.backend = backend;
        this.device = backend.device(env);
        this.timeout = timeout;
        this.shim = shim;
        this.store = store;
        this.options = options;
        this.group = group;
    }

    /**
     * Joins the job described by {@code env} with Gloo, for float32 CPU arrays:
     * {@link #connect(ProcessGroupEnv, Duration, Backend)} with {@link Backend#GLOO}.
     */
    public static C10dCollectives connect(ProcessGroupEnv env, Duration timeout) {
        return connect(env, timeout, Backend.GLOO);
    }

    /**
     * Joins the job with the backend for arrays on {@code arrays} ({@link Backend#choose(ai.djl.Device)}):
     * NCCL for a GPU when DJL runs a CUDA libtorch, Gloo for the CPU.
     *
     * @throws CollectiveException for GPU arrays without a CUDA libtorch (naming what is missing), and
     *     as {@link #connect(ProcessGroupEnv, Duration, Backend)}
     */
    public static C10dCollectives connect(ProcessGroupEnv env, Duration timeout, ai.djl.Device arrays) {
        Objects.requireNonNull(env, "env");
        Backend backend;
        try {
            backend = Backend.choose(arrays);
        } catch (IllegalStateException e) {
            throw new CollectiveException(prefix(env) + "connect failed: " + e.getMessage(), e);
        }
        if (backend == Backend.NCCL && !backend.device(env).equals(arrays)) {
            throw new CollectiveException(prefix(env) + "connect failed: NCCL ranks keep their arrays on "
                    + backend.device(env) + " (LOCAL_RANK " + env.localRank() + "), not " + arrays, null);
        }
        return connect(env, timeout, backend);
    }

    /**
     * Joins the job described by {@code env} through {@code backend}: a c10d TCPStore at
     * {@code MASTER_ADDR:MASTER_PORT} (rank 0 runs its server and waits for all {@code WORLD_SIZE}
     * ranks), then the backend's process group. Gloo connects to every peer before this returns;
     * NCCL creates its communicator, on {@code cuda:LOCAL_RANK}, with the first collective.
     *
     * <p>Gloo's network device is chosen as {@code torch.distributed} chooses it: with
     * {@code GLOO_SOCKET_IFNAME} set (interface names, comma-separated), one Gloo device per named
     * interface ({@code ProcessGroupGloo::createDeviceForInterface}); otherwise
     * {@code ProcessGroupGloo::createDefaultDevice()}, which takes the address this host's name
     * resolves to when a socket can bind to it, else the loopback address (with a warning from c10d).
     * NCCL reads its own variables ({@code NCCL_SOCKET_IFNAME}, {@code NCCL_DEBUG}, ...).
     *
     * <p>The first call in a JVM loads DJL's PyTorch engine, this module's shim and the presets' JNI
     * library; no JVM option is needed.
     *
     * @param timeout how long the rendezvous and each collective may wait for a peer
     * @throws CollectiveException naming this rank, the world size and what failed: a libtorch other
     *     than 2.7.1, a missing symbol or library, a layout check, the store or a peer not reachable
     *     within the timeout
     */
    public static C10dCollectives connect(ProcessGroupEnv env, Duration timeout, Backend backend) {
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(backend, "backend");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the timeout must be positive, not " + timeout);
        }
        long started = System.nanoTime();
        Shim shim;
        try {
            shim = TorchLibraries.shim(backend);
        } catch (IllegalStateException e) {
            throw new CollectiveException(prefix(env) + "connect failed: " + e.getMessage(), e);
        }
        byte[] err = new byte[ERR_BYTES];
        long ms = timeout.toMillis();
        com.sun.jna.Pointer store = shim.usp_tcpstore_new(env.masterAddr(), env.masterPort(), env.isMain() ? 1 : 0,
                env.worldSize(), ms, err, err.length);
        if (store == null) {
            throw abandon(shim, env, "TCPStore at " + env.masterAddr() + ":" + env.masterPort() + ": "
                    + TorchLibraries.text(err), null, null);
        }
        com.sun.jna.Pointer options = shim.usp_options_new(backend.id(), ms, err, err.length);
        if (options == null) {
            throw abandon(shim, env, TorchLibraries.text(err), null, null, store);
        }
        String devices = backend.device(env).toString();
        if (backend == Backend.GLOO) {
            try {
                devices = addDevices(
                        new ProcessGroupGloo.Options(new Address(com.sun.jna.Pointer.nativeValue(options))));
            } catch (RuntimeException e) {
                throw abandon(shim, env, "Gloo device: " + e.getMessage(), e, options, store);
            }
        }
        com.sun.jna.Pointer group = shim.usp_group_new(backend.id(), store, env.rank(), env.worldSize(), options, err,
                err.length);
        if (group == null) {
            throw abandon(shim, env, backend.group() + ": " + TorchLibraries.text(err), null, options, store);
        }
        LOG.info("{}c10d {} up through {}:{} on {} ({} ms)", prefix(env), backend.group(), env.masterAddr(),
                env.masterPort(), devices, (System.nanoTime() - started) / 1_000_000);
        return new C10dCollectives(env, backend, timeout, shim, store, options, group);
    }

    /** The backend this group runs on. */
    public Backend backend() {
        return backend;
    }

    @Override
    public ProcessGroupEnv env() {
        return env;
    }

    /**
     * Sums every array over all ranks, in place, in buckets of at most 25 MiB as DDP does: an array
     * with a bucket of its own is reduced where it lies; several smaller ones are concatenated into
     * one flat array, reduced, and copied back (native copies, under no-grad).
     *
     * @throws IllegalArgumentException for an array that is not a float32 array of DJL's PyTorch engine on
     *     this backend's device
     */
    @Override
    public synchronized void allReduceSum(List<NDArray> arrays) {
        run("allreduce", ALLREDUCE, arrays, 0);
    }

    /** Copies rank {@code root}'s arrays into every rank's, in place, bucketed as {@link #allReduceSum}. */
    @Override
    public synchronized void broadcast(List<NDArray> arrays, int root) {
        if (root < 0 || root >= env.worldSize()) {
            throw new IllegalArgumentException("broadcast from rank " + root + " in a job of " + env.worldSize());
        }
        run("broadcast", BROADCAST, arrays, root);
    }

    @Override
    public synchronized void barrier() {
        usable("barrier");
        byte[] err = new byte[ERR_BYTES];
        await("barrier", shim.usp_barrier(backend.id(), group, jna(barrierOptions), err, err.length), err);
    }

    /** Destroys the group (its threads and connections) and the store; a second call does nothing. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        shim.usp_release(group);
        shim.usp_options_release(options);
        shim.usp_release(store);
        allreduceOptions.close();
        barrierOptions.close();
    }

    private void run(String op, int which, List<NDArray> arrays, int root) {
        usable(op);
        long[] bytes = new long[arrays.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = checked(op, i, arrays.get(i)).size() * Float.BYTES;
        }
        byte[] err = new byte[ERR_BYTES];
        for (List<Integer> bucket : Buckets.plan(bytes, Buckets.CAP_BYTES)) {
            try {
                runBucket(op, which, arrays, root, bucket, bytes, err);
            } catch (CollectiveException e) {
                throw e;
            } catch (RuntimeException e) {
                throw failed(op, "libtorch refused a bucket's copy: " + e.getMessage(), e);
            }
        }
    }

    /** One bucket: in place when it holds one contiguous array, else through a flat copy. */
    private void runBucket(String op, int which, List<NDArray> arrays, int root, List<Integer> bucket, long[] bytes,
            byte[] err) {
        PointerScope scope = new PointerScope();  // frees every JavaCPP object made below, the guard included
        try {
            // held by the scope: no graph for the copies, and copy_ into parameters that require grad is allowed
            NoGradGuard noGrad = new NoGradGuard();
            List<Tensor> views = new ArrayList<>(bucket.size());
            for (int i : bucket) {
                views.add(new Tensor(new Address(((PtNDArray) arrays.get(i)).getHandle())));
            }
            boolean inPlace = views.size() == 1 && views.get(0).is_contiguous();
            Tensor flat = inPlace ? views.get(0) : flatten(views);
            TensorVector tensors = new TensorVector(flat);
            Pointer opts = which == ALLREDUCE ? allreduceOptions : new BroadcastOptions().rootRank(root);
            await(op, shim.usp_collective(backend.id(), which, group, jna(tensors), jna(opts), err, err.length), err);
            if (!inPlace) {
                long offset = 0;
                for (int k = 0; k < views.size(); k++) {
                    int index = bucket.get(k);
                    long n = bytes[index] / Float.BYTES;
                    views.get(k).copy_(flat.narrow(0, offset, n).view(arrays.get(index).getShape().getShape()));
                    offset += n;
                }
            }
        } finally {
            scope.close();
        }
    }

    private static Tensor flatten(List<Tensor> views) {
        TensorVector flat = new TensorVector();
        for (Tensor v : views) {
            flat.push_back(v.reshape(-1));
        }
        return torch.cat(flat, 0);
    }

    private NDArray checked(String op, int index, NDArray array) {
        if (!(array instanceof PtNDArray) || array.getDataType() != DataType.FLOAT32
                || !device.equals(array.getDevice())) {
            throw new IllegalArgumentException(prefix(env) + op + ": array " + index + " is " + array.getDataType()
                    + " on " + array.getDevice() + " (" + array.getClass().getSimpleName() + "); " + backend.group()
                    + " here takes float32 arrays on " + device + " of DJL's PyTorch engine");
        }
        return array;
    }

    /** Waits for the Work the shim started and drops it; a failure breaks the group. */
    private void await(String op, com.sun.jna.Pointer work, byte[] err) {
        if (work == null) {
            throw failed(op, TorchLibraries.text(err), null);
        }
        try {
            new Work(new Address(com.sun.jna.Pointer.nativeValue(work)))._wait();
        } catch (RuntimeException e) {
            throw failed(op, e.getMessage(), e);
        } finally {
            shim.usp_release(work);
        }
    }

    private CollectiveException failed(String op, String cause, Throwable e) {
        String what = op + " failed: " + describe(String.valueOf(cause));
        if (failure == null) {
            failure = what;
        }
        return new CollectiveException(prefix(env) + what, e);
    }

    /** The backend's message, led by what it means for this job: which peer was lost, or the timeout. */
    private String describe(String cause) {
        String lower = cause.toLowerCase(Locale.ROOT);
        String peer = env.worldSize() == 2 ? "peer rank " + (1 - env.rank()) : "a peer";
        if (lower.contains("connection closed") || lower.contains("connection reset") || lower.contains("broken pipe")
                || lower.contains("connection refused")) {
            return "lost " + peer + " (connection closed): " + cause;
        }
        if (lower.contains("timed out") || lower.contains("timeout")) {
            return "no answer from " + (env.worldSize() == 2 ? peer : "the other ranks") + " within "
                    + timeout.toMillis() + " ms: " + cause;
        }
        return cause;
    }

    private void usable(String op) {
        if (closed) {
            throw new CollectiveException(prefix(env) + op + " refused: the group is closed", null);
        }
        if (failure != null) {
            throw new CollectiveException(prefix(env) + op + " refused: an earlier collective failed (" + failure + ")",
                    null);
        }
    }

    /** Releases what a failed connect had made (an Options, then the store) and says why it failed. */
    private static CollectiveException abandon(Shim shim, ProcessGroupEnv env, String why, Throwable cause,
            com.sun.jna.Pointer options, com.sun.jna.Pointer... made) {
        if (options != null) {
            shim.usp_options_release(options);
        }
        for (com.sun.jna.Pointer p : made) {
            shim.usp_release(p);
        }
        return new CollectiveException(prefix(env) + "connect failed: " + why, cause);
    }

    private static String addDevices(ProcessGroupGloo.Options view) {
        String ifname = System.getenv("GLOO_SOCKET_IFNAME");
        List<String> names = new ArrayList<>();
        if (ifname != null && !ifname.isBlank()) {
            for (String name : ifname.split(",")) {
                if (name.isBlank()) {
                    continue;
                }
                try (Device device = ProcessGroupGloo.createDeviceForInterface(name.strip())) {
                    view.devices().push_back(device);
                }
                names.add("interface " + name.strip());
            }
        } else {
            try (Device device = ProcessGroupGloo.createDefaultDevice()) {
                view.devices().push_back(device);
            }
            names.add("c10d's default device");
        }
        return String.join(", ", names);
    }

    private static String prefix(ProcessGroupEnv env) {
        return "rank " + env.rank() + " of " + env.worldSize() + ": ";
    }

    private static com.sun.jna.Pointer jna(Pointer p) {
        return new com.sun.jna.Pointer(p.address());
    }

    /** A JavaCPP pointer to an address owned elsewhere (no deallocator). */
    private static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }
    }
}
