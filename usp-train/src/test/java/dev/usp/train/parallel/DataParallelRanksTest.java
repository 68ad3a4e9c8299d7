package dev.usp.train.parallel;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.nn.Mlp;
import dev.usp.core.nn.Parameter;
import dev.usp.train.data.EpochOrder;
import dev.usp.train.distributed.ShardedEpochOrder;
import dev.usp.train.distributed.ThreadCollectives;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Data parallel over two ranks of a job (threads standing in for processes, through
 * {@link ThreadCollectives}): the ranks end with the gradient and loss of one process on the
 * whole global batch, start from rank 0's weights, and together train on every example of an
 * epoch exactly once, each rank on the examples DistributedSampler gives it.
 */
class DataParallelRanksTest {

    private static final int DIM = 6;
    private static final int BATCH = 8;
    private static final Function<NDManager, Mlp> FACTORY = m -> new Mlp(m, DIM, 12, false);
    private static final ShardLoss<Mlp> MSE =
            (model, shard) -> model.forward(shard.get(0)).sub(shard.get(1)).square().mean();

    /**
     * Starts the engine on the test thread: DJL switches PyTorch's grad mode off only in the
     * thread that starts it, and the tests after this one train on this thread.
     */
    @BeforeAll
    static void startEngineHere() {
        Engine.getInstance();
    }

    /** Runs {@code work(rank)} on one thread per rank and returns the results in rank order. */
    private static <T> List<T> onRanks(int world, RankWork<T> work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                int rank = r;
                futures.add(pool.submit((Callable<T>) () -> work.run(rank)));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @FunctionalInterface
    private interface RankWork<T> {
        T run(int rank) throws Exception;
    }

    /** What one rank ends a step with: its initial weights, loss and gradients by name. */
    private record RankStep(Map<String, float[]> initial, double loss, Map<String, float[]> grads) {
    }

    private static NDArray[] batch(NDManager m) {
        Random r = new Random(5);
        float[] x = new float[BATCH * DIM];
        float[] y = new float[BATCH * DIM];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            y[i] = (float) r.nextGaussian();
        }
        return new NDArray[] {m.create(x, new Shape(BATCH, DIM)), m.create(y, new Shape(BATCH, DIM))};
    }

    private static Map<String, float[]> values(Map<String, Parameter> params, boolean gradients) {
        Map<String, float[]> out = new java.util.TreeMap<>();
        params.forEach((k, p) -> {
            NDArray a = gradients ? p.array().getGradient() : p.array();
            out.put(k, a.toFloatArray());
            if (gradients) {
                a.close();
            }
        });
        return out;
    }

    @Test
    void twoRanksHoldTheGradientAndLossOfTheGlobalBatchFromRankZerosWeights() throws Exception {
        ThreadCollectives.Job job = new ThreadCollectives.Job(2);
        List<RankStep> ranks = onRanks(2, rank -> {
            try (NDManager data = NDManager.newBaseManager();
                 DataParallel<Mlp> dp = new DataParallel<>(FACTORY, List.of(Device.cpu()), job.rank(rank))) {
                Map<String, float[]> initial = values(dp.master().trainableParameters(), false);
                double loss = dp.finishStep(dp.step(MSE, batch(data)), data);
                return new RankStep(initial, loss, values(dp.master().trainableParameters(), true));
            }
        });
        Engine.getInstance().setRandomSeed(3);
        RankStep single = oneProcessFrom(ranks.get(0).initial(), (dp, data) -> new RankStep(ranks.get(0).initial(),
                dp.step(MSE, batch(data)), values(dp.master().trainableParameters(), true)));
        for (RankStep r : ranks) {
            for (String k : single.initial().keySet()) {
                assertArrayEquals(single.initial().get(k), r.initial().get(k), k + ": rank 0's weights broadcast");
                assertArrayEquals(single.grads().get(k), r.grads().get(k), 1e-6f, k + ": gradient of the global batch");
            }
            assertEquals(single.loss(), r.loss(), 1e-6, "the global batch's mean loss");
        }
    }

    /** {@code step} on one process (no group) whose weights are set to {@code initial} (rank 0's). */
    private static RankStep oneProcessFrom(Map<String, float[]> initial,
                                           BiFunction<DataParallel<Mlp>, NDManager, RankStep> step) {
        try (NDManager data = NDManager.newBaseManager();
             DataParallel<Mlp> dp = new DataParallel<>(FACTORY, List.of(Device.cpu()))) {
            for (Map.Entry<String, Parameter> e : dp.master().trainableParameters().entrySet()) {
                ThreadCollectives.overwrite(e.getValue().array(), initial.get(e.getKey()));
            }
            return step.apply(dp, data);
        }
    }

    /** Two micro-batches accumulated into one step, each half the loss, then the step finished. */
    private static RankStep accumulated(DataParallel<Mlp> dp, NDManager data) {
        Map<String, float[]> initial = values(dp.master().trainableParameters(), false);
        NDArray[] first = batch(data);
        NDArray[] second = {first[0].mul(-0.5f), first[1].add(1f)};
        ShardLoss<Mlp> half = (model, shard) -> MSE.loss(model, shard).div(2);
        double share = dp.step(half, first) + dp.step(half, second);
        return new RankStep(initial, dp.finishStep(share, data), values(dp.master().trainableParameters(), true));
    }

    @Test
    void accumulatedMicroBatchesAreSummedOverRanksOnceAsOneProcessAccumulatesThem() throws Exception {
        ThreadCollectives.Job job = new ThreadCollectives.Job(2);
        List<RankStep> ranks = onRanks(2, rank -> {
            try (NDManager data = NDManager.newBaseManager();
                 DataParallel<Mlp> dp = new DataParallel<>(FACTORY, List.of(Device.cpu()), job.rank(rank))) {
                return accumulated(dp, data);
            }
        });
        RankStep single = oneProcessFrom(ranks.get(0).initial(), DataParallelRanksTest::accumulated);
        for (RankStep r : ranks) {
            for (String k : single.grads().keySet()) {
                assertArrayEquals(single.grads().get(k), r.grads().get(k), 1e-6f, k + ": gradient of both micro-batches");
            }
            assertEquals(single.loss(), r.loss(), 1e-6, "the mean loss of both micro-batches");
        }
    }

    @Test
    void everyExampleOfAnEpochIsTrainedOnExactlyOnceAcrossRanksAsDistributedSamplerShardsIt() throws Exception {
        int size = 40;
        int world = 2;
        long seed = 11;
        EpochOrder order = new EpochOrder(size, BATCH, seed);
        ThreadCollectives.Job job = new ThreadCollectives.Job(world);
        List<List<int[]>> seen = onRanks(world, rank -> {
            List<int[]> batches = new ArrayList<>();
            try (NDManager data = NDManager.newBaseManager();
                 DataParallel<Mlp> dp = new DataParallel<>(FACTORY, List.of(Device.cpu()), job.rank(rank))) {
                for (int b = 0; b < order.batchesPerEpoch(); b++) {
                    int[] ids = order.indices(b);
                    float[] asFloats = new float[ids.length * DIM];
                    for (int i = 0; i < asFloats.length; i++) {
                        asFloats[i] = ids[i / DIM];
                    }
                    NDArray x = data.create(asFloats, new Shape(ids.length, DIM));
                    dp.step((model, shard) -> {
                        float[] rows = shard.get(0).toFloatArray();
                        int[] mine = new int[rows.length / DIM];
                        for (int i = 0; i < mine.length; i++) {
                            mine[i] = (int) rows[i * DIM];
                        }
                        batches.add(mine);
                        return model.forward(shard.get(0)).square().mean();
                    }, x);
                }
            }
            return batches;
        });
        int[] count = new int[size];
        for (int rank = 0; rank < world; rank++) {
            ShardedEpochOrder sampler = new ShardedEpochOrder(size, BATCH / world, seed, rank, world);
            for (int b = 0; b < seen.get(rank).size(); b++) {
                int[] ids = seen.get(rank).get(b);
                assertArrayEquals(sampler.indices(b), ids, "rank " + rank + " batch " + b);
                Arrays.stream(ids).forEach(i -> count[i]++);
            }
        }
        int[] once = new int[size];
        Arrays.fill(once, 1);
        assertArrayEquals(once, count, "times each example was trained on in the epoch");
    }
}
