package dev.usp.train.parallel;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.HostArrays;
import dev.usp.core.engine.Scalars;
import dev.usp.core.nn.Module;
import dev.usp.core.nn.Parameter;
import dev.usp.train.distributed.Collectives;
import dev.usp.train.distributed.RankRows;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Data parallelism over the devices of one machine ({@code --device gpu:0,1,...}), PyTorch's
 * {@code DistributedDataParallel} on one node: one model replica per device, each step's batch
 * cut into equal shards along axis 0, forward and backward of every shard on its replica (one
 * Java thread per replica), and the gradients summed into the master replica, so that the
 * master's gradient is that of the mean loss over the whole batch. The optimiser only updates
 * the master; {@link #step} copies the master's tensors to the other replicas before it runs.
 *
 * <p><b>Several processes</b> ({@code scripts/usp-launch}, torchrun, Slurm), given their
 * {@link Collectives}: every rank passes the step's <em>global</em> batch (built the same on every
 * rank: data and random draws are functions of (seed, step)), keeps its {@link RankRows} and
 * spreads them over its own devices; each shard back-propagates its share of the global batch,
 * and {@link #finishStep} then sums the masters' gradients over the ranks (c10d all-reduce), once
 * per optimiser step, so that every rank holds the gradient of the global batch's mean loss, and
 * the identical optimiser step follows on every rank, as with PyTorch's DistributedDataParallel
 * (whose {@code no_sync} likewise leaves accumulation steps local). The constructor broadcasts
 * rank 0's tensors.
 *
 * <p>A trainer, in outline ({@code devices} from {@code Devices.parse("gpu:0,1,2,3")}):
 * <pre>{@code
 * try (DataParallel<Vit> dp = new DataParallel<>(m -> new Vit(m, cfg), devices);
 *      AdamW opt = new AdamW(dp.master().trainableParameters(), groups)) {
 *     loop.run(dp.master().manager(), state, ctx -> {            // state saves dp.master()
 *         Batch b = data.batch(ctx.random(Seeds.DATA), ctx.manager());
 *         opt.zeroGrad();
 *         double share = dp.step((model, shard) -> objective(model, shard.get(0), shard.get(1)),
 *                 b.images(), b.labels());
 *         double loss = dp.finishStep(share, ctx.manager());       // the loss itself in one process
 *         ctx.update(opt, loss);
 *         return StepResult.of(loss, b.size());
 *     });
 * }
 * }</pre>
 * {@link #map} spreads a forward pass without autograd the same way (a frozen encoder's features).
 * With one device, {@code step} is a pass-through on the caller's thread whose gradients are
 * bitwise those of plain training. Randomness drawn inside the loss (noise, masks, drop path)
 * comes from the engine's one generator in thread order, so runs over several devices are only
 * reproducible when such randomness is drawn by the caller and passed in as batch arrays.
 *
 * <p><b>How the master's gradient is set.</b> Each replica back-propagates its shard's mean
 * loss times its share of the batch (shard size / batch size). The master's own share
 * accumulates into its gradients directly. The other replicas' gradients G (copied to the
 * master's device and summed) are then added to the master's by back-propagating the surrogate
 * {@code sum_p sum(G_p * p)} on the master, whose gradient with respect to p is exactly G_p.
 * Writing into {@code getGradient()} in place is not used: it returns a view of PyTorch's
 * {@code .grad} only once that exists, and otherwise a fresh, unlinked zero array (DJL's
 * {@code PtNDArray.getGradient}), so a write to a parameter without a gradient yet would be lost.
 * Gradients accumulate, as in PyTorch: zero the master's before each step (the optimiser's
 * {@code zeroGrad}); the other replicas' start from zero at every step because the broadcast
 * gives them fresh leaves.
 *
 * <p><b>Memory.</b> Every temporary of a step lives in a sub-manager of each replica's manager,
 * closed when the step returns; the replicas' managers do not grow across steps.
 *
 * @param <M> the model type
 */
public final class DataParallel<M extends Module> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DataParallel.class);

    private final List<Device> devices;
    private final List<M> replicas = new ArrayList<>();
    private final ExecutorService workers;
    private final Collectives group;
    private final RankRows rows;

    /**
     * Builds one replica per device with {@code factory}, each in a new manager on its device,
     * and copies replica 0's (the master's) tensors to the others.
     *
     * @throws IllegalArgumentException when {@code devices} is empty
     */
    public DataParallel(Function<NDManager, M> factory, List<Device> devices) {
        this(factory, devices, Collectives.single());
    }

    /**
     * Builds one replica per device of this process as {@link #DataParallel(Function, List)} does,
     * then gives every rank of {@code group} rank 0's tensors.
     *
     * @throws IllegalArgumentException when {@code devices} is empty
     * @throws dev.usp.train.distributed.CollectiveException when the broadcast fails
     */
    public DataParallel(Function<NDManager, M> factory, List<Device> devices, Collectives group) {
        this.group = group;
        this.rows = RankRows.of(group.env());
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("data parallel needs at least one device");
        }
        this.devices = List.copyOf(devices);
        for (Device d : this.devices) {
            replicas.add(factory.apply(NDManager.newBaseManager(d)));
        }
        AtomicInteger next = new AtomicInteger(1);
        workers = devices.size() == 1 ? null : Executors.newFixedThreadPool(devices.size() - 1, r -> {
            Thread t = new Thread(r, "data-parallel-" + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        if (group.env().distributed()) {
            group.broadcast(floatTensors(master()), 0);
        }
        broadcast();
        LOG.info("data parallel over {} device(s) {}{}", devices.size(), devices, group.env().distributed()
                ? " in each of " + group.env().worldSize() + " processes (this is rank " + group.env().rank() + ")" : "");
    }

    /**
     * The float32 parameters and buffers of {@code model}, the arrays themselves (a broadcast writes
     * them in place); other types are constants its constructor computes the same on every rank.
     */
    private static List<NDArray> floatTensors(Module model) {
        List<NDArray> out = new ArrayList<>();
        for (Parameter p : model.namedTensors().values()) {
            if (p.array().getDataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
                out.add(p.array());
            }
        }
        return out;
    }

    /** The model the optimiser updates and checkpoints save: replica 0. */
    public M master() {
        return replicas.get(0);
    }

    /** All replicas, the master first, in device order. */
    public List<M> replicas() {
        return Collections.unmodifiableList(replicas);
    }

    /** The devices, one per replica. */
    public List<Device> devices() {
        return devices;
    }

    /** Number of replicas in this process; each rank's share of a step's batch must be a multiple of it. */
    public int size() {
        return replicas.size();
    }

    /** Number of replicas over all ranks: each step's global batch must be a multiple of it. */
    public int globalSize() {
        return replicas.size() * group.env().worldSize();
    }

    /** The job's collectives ({@link Collectives#single()} for one process). */
    public Collectives group() {
        return group;
    }

    /**
     * Copies every tensor of the master (parameters and buffers) and its training mode to the
     * other replicas. {@link #step} does this itself; call it when the replicas must match the
     * master now, e.g. to evaluate on them.
     */
    public void broadcast() {
        M master = master();
        for (int i = 1; i < replicas.size(); i++) {
            replicas.get(i).loadStateDict(master.stateDict(), true);
            replicas.get(i).train(master.isTraining());
        }
    }

    /**
     * One forward and backward over {@code batch}, spread over the replicas: adds the gradient of
     * the batch's mean loss to the master's gradients and returns that mean loss. It records
     * autograd itself (no {@code GradientCollector} is needed); the optimiser step follows it.
     *
     * <p>With several processes it adds and returns this rank's share of them (its rows' part of
     * the global batch's mean); {@link #finishStep} then sums the shares over the ranks, once per
     * optimiser step, after the last micro-batch of an accumulated step.
     *
     * @param loss  the mean loss of a replica on its shard
     * @param batch the step's global inputs, all with the same size along axis 0, a multiple of {@link #globalSize()}
     * @throws IllegalArgumentException naming the sizes when the batch cannot be split evenly
     */
    public double step(ShardLoss<M> loss, NDArray... batch) {
        double share = 1.0 / globalSize(); // shard size / global batch size: each shard's weight in the batch mean
        return spread(mine(batch), (i, shard) -> forwardBackward(i, loss, shard, share), (losses, scopes) -> {
            if (replicas.size() > 1) {
                addReplicaGradients(scopes);
            }
            return share * losses.stream().mapToDouble(Float::doubleValue).sum();
        });
    }

    /**
     * This rank's rows of each global batch array (the arrays themselves in one process).
     *
     * @throws IllegalArgumentException naming the sizes when the global batch cannot be shared by the ranks
     */
    public NDArray[] mine(NDArray... batch) {
        if (!group.env().distributed()) {
            return batch;
        }
        NDArray[] out = new NDArray[batch.length];
        for (int i = 0; i < batch.length; i++) {
            out[i] = rows.of(batch[i]);
        }
        return out;
    }

    /**
     * Sums per-rank numbers over the ranks (e.g. the parts of a loss each rank logged for its
     * share of the batch), with a temporary in {@code scope}; in one process the numbers themselves.
     */
    public double[] sumOverRanks(double[] local, NDManager scope) {
        if (!group.env().distributed()) {
            return local;
        }
        float[] f = new float[local.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) local[i];
        }
        NDArray a = HostArrays.floats(scope, f);
        group.allReduceSum(List.of(a));
        float[] summed = a.toFloatArray();
        double[] out = new double[summed.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = summed[i];
        }
        return out;
    }

    /**
     * Ends the backward part of an optimiser step in a job of several processes: sums over the
     * ranks (one all-reduce) the master's gradients accumulated since the optimiser's
     * {@code zeroGrad} (by {@link #step}, or by a trainer's own backward of its share, the linear
     * probe's head) and {@code localLoss}, this rank's share of the step's loss; returns the
     * global loss. Call it once per optimiser step, after the last micro-batch and before
     * clipping or the update: gradients summed after each micro-batch would count the earlier
     * ones once per rank. In one process it returns {@code localLoss} and touches nothing.
     * Temporaries live in {@code scope}.
     */
    public double finishStep(double localLoss, NDManager scope) {
        if (!group.env().distributed()) {
            return localLoss;
        }
        List<NDArray> grads = masterGradients(scope);
        NDArray lossSum = HostArrays.floats(scope, new float[] {(float) localLoss});
        grads.add(lossSum);
        group.allReduceSum(grads);
        return lossSum.getFloat(0);
    }

    /**
     * Views of the master's gradients (written in place by a collective), owned by {@code scope}:
     * every trainable parameter has a gradient after a backward, so {@code getGradient} is a view.
     */
    private List<NDArray> masterGradients(NDManager scope) {
        List<NDArray> grads = new ArrayList<>();
        for (Parameter p : master().trainableParameters().values()) {
            NDArray g = p.array().getGradient();
            g.attach(scope);
            grads.add(g);
        }
        return grads;
    }

    /**
     * A forward pass without autograd spread over the replicas (e.g. a frozen encoder's features):
     * {@code fn} runs on every replica's shard, and the outputs come back concatenated along
     * axis 0, in batch order, on the master's device, owned by {@code out}.
     *
     * @param fn    a replica's output on its shard, with axis 0 the shard's examples
     * @param batch the inputs, all with the same size along axis 0, a multiple of {@link #size()}
     * @throws IllegalArgumentException naming the sizes when the batch cannot be split evenly
     */
    public NDArray map(BiFunction<M, NDList, NDArray> fn, NDManager out, NDArray... batch) {
        return spread(batch, (i, shard) -> Autograd.paused(() -> fn.apply(replicas.get(i), shard)), (parts, scopes) -> {
            NDList onMaster = new NDList(parts.get(0));
            for (int i = 1; i < parts.size(); i++) {
                NDArray part = parts.get(i).toDevice(devices.get(0), true);
                part.attach(scopes.get(0));
                onMaster.add(part);
            }
            NDArray all = onMaster.size() == 1 ? onMaster.head() : NDArrays.concat(onMaster, 0);
            all.attach(out);
            return all;
        });
    }

    /** What one replica does with its shard, on its own thread (replica 0 on the caller's). */
    @FunctionalInterface
    private interface ReplicaWork<T> {
        T run(int replica, NDList shard);
    }

    /**
     * Cuts the batch into shards, runs {@code work} on every replica, and gives the results (in
     * replica order) and the per-replica scopes to {@code finish}; every temporary lives in those
     * scopes, closed when this returns.
     */
    private <T, R> R spread(NDArray[] batch, ReplicaWork<T> work, BiFunction<List<T>, List<NDManager>, R> finish) {
        checkBatch(batch);
        int n = replicas.size();
        broadcast();
        List<NDManager> scopes = new ArrayList<>(n);
        List<Future<T>> others = new ArrayList<>(n - 1);
        try {
            for (M replica : replicas) {
                scopes.add(replica.manager().newSubManager());
            }
            List<NDList> shards = shard(batch, scopes);
            for (int i = 1; i < n; i++) {
                int k = i;
                others.add(workers.submit(() -> work.run(k, shards.get(k))));
            }
            List<T> results = new ArrayList<>(n);
            results.add(work.run(0, shards.get(0)));
            results.addAll(awaitAll(others));
            return finish.apply(results, scopes);
        } finally {
            awaitQuietly(others);
            scopes.forEach(NDManager::close);
        }
    }

    private void checkBatch(NDArray... batch) {
        if (batch.length == 0) {
            throw new IllegalArgumentException("data parallel step got no batch arrays");
        }
        long total = -1;
        for (int i = 0; i < batch.length; i++) {
            if (batch[i].getShape().dimension() == 0) {
                throw new IllegalArgumentException("batch array " + i + " is a scalar; it cannot be split along axis 0");
            }
            long size = batch[i].getShape().get(0);
            if (total >= 0 && size != total) {
                throw new IllegalArgumentException("batch arrays differ in size along axis 0: array 0 has "
                        + total + " (shape " + batch[0].getShape() + "), array " + i + " has " + size
                        + " (shape " + batch[i].getShape() + ")");
            }
            total = size;
        }
        if (total % replicas.size() != 0 || total == 0) {
            throw new IllegalArgumentException("a batch of " + total + " examples cannot be split evenly over "
                    + replicas.size() + " devices " + devices + "; use a positive multiple of " + replicas.size());
        }
    }

    /** Cuts every batch array into one piece per replica, on the replica's device, owned by its scope. */
    private List<NDList> shard(NDArray[] batch, List<NDManager> scopes) {
        List<NDList> shards = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            shards.add(new NDList());
        }
        for (NDArray a : batch) {
            NDList pieces = a.split(replicas.size(), 0);
            for (int i = 0; i < replicas.size(); i++) {
                NDArray piece = pieces.get(i);
                NDArray moved = piece.toDevice(devices.get(i), false);
                if (moved != piece) {
                    piece.close();
                }
                moved.attach(scopes.get(i));
                shards.get(i).add(moved);
            }
        }
        return shards;
    }

    /** The results of replicas 1.., or the first failure (naming its replica) with the others suppressed. */
    private <T> List<T> awaitAll(List<Future<T>> others) {
        List<T> results = new ArrayList<>(others.size());
        RuntimeException failure = null;
        for (int i = 0; i < others.size(); i++) {
            try {
                results.add(others.get(i).get());
            } catch (ExecutionException | InterruptedException e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                Throwable cause = e.getCause() == null ? e : e.getCause();
                RuntimeException wrapped = new IllegalStateException(
                        "replica " + (i + 1) + " on " + devices.get(i + 1) + " failed: " + cause, cause);
                if (failure == null) {
                    failure = wrapped;
                } else {
                    failure.addSuppressed(wrapped);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return results;
    }

    /** Waits for every replica thread, ignoring its outcome, so that no scope is closed under it. */
    private static void awaitQuietly(List<? extends Future<?>> others) {
        for (Future<?> f : others) {
            try {
                f.get();
            } catch (ExecutionException | RuntimeException e) {
                // already reported by await, or the step is failing for another reason
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Back-propagates {@code share} times replica {@code i}'s mean shard loss; returns that loss. */
    private float forwardBackward(int i, ShardLoss<M> loss, NDList shard, double share) {
        return Autograd.recording(() -> {
            NDArray value = loss.loss(replicas.get(i), shard);
            if (value.getShape().size() != 1) {
                throw new IllegalArgumentException("the shard loss must be a scalar, got shape "
                        + value.getShape() + " on replica " + i + " (" + devices.get(i) + ")");
            }
            Autograd.backward(Scalars.mul(value, share));
            return value.getFloat();
        });
    }

    /** Adds the gradients of replicas 1.. to the master's, via the surrogate described in the class doc. */
    private void addReplicaGradients(List<NDManager> scopes) {
        Map<String, Parameter> master = master().trainableParameters();
        Map<String, NDArray> sums = new LinkedHashMap<>();
        for (int i = 1; i < replicas.size(); i++) {
            Map<String, Parameter> mine = replicas.get(i).trainableParameters();
            for (Map.Entry<String, Parameter> e : master.entrySet()) {
                NDArray g = mine.get(e.getKey()).array().getGradient();
                g.attach(scopes.get(i));
                NDArray here = g.toDevice(devices.get(0), false);
                here.attach(scopes.get(0));
                sums.merge(e.getKey(), here, NDArray::add);
            }
        }
        Autograd.recording(() -> {
            NDArray surrogate = null;
            for (Map.Entry<String, Parameter> e : master.entrySet()) {
                NDArray term = sums.get(e.getKey()).mul(e.getValue().array()).sum();
                surrogate = surrogate == null ? term : surrogate.add(term);
            }
            Autograd.backward(surrogate);
            return null;
        });
    }

    /** Stops the worker threads and closes every replica, the master included. */
    @Override
    public void close() {
        if (workers != null) {
            workers.shutdownNow();
        }
        replicas.forEach(Module::close);
    }
}
