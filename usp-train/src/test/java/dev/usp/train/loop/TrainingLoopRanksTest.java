package dev.usp.train.loop;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.usp.core.nn.Mlp;
import dev.usp.core.nn.Parameter;
import dev.usp.train.distributed.Collectives;
import dev.usp.train.distributed.ThreadCollectives;
import dev.usp.train.optim.AdamW;
import dev.usp.train.optim.ParamGroups;
import dev.usp.train.parallel.DataParallel;
import dev.usp.train.parallel.ShardLoss;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The training loop as the ranks of a job (threads through {@link ThreadCollectives}): the ranks
 * end with the parameters of one process training on the global batches, only rank 0 writes the
 * run folder, and a run checkpointed by two ranks resumes on one.
 */
class TrainingLoopRanksTest {

    private static final int DIM = 5;
    private static final int BATCH = 8;
    private static final String CONFIG = "toy: true\n";
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

    /** The global batch of {@code step}: a function of the step alone, the same on every rank. */
    private static NDArray[] batch(long step, NDManager m) {
        Random r = new Random(1000 + step);
        float[] x = new float[BATCH * DIM];
        float[] y = new float[BATCH * DIM];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            y[i] = (float) Math.sin(x[i]);
        }
        return new NDArray[] {m.create(x, new Shape(BATCH, DIM)), m.create(y, new Shape(BATCH, DIM))};
    }

    /**
     * Trains {@code total} steps (or resumes to it) as one rank of {@code group}; returns the
     * parameters. PyTorch's grad mode is per thread and on in a new one: it is switched off here,
     * as DJL leaves it in the thread that starts the engine (a rank's main thread).
     */
    private static Map<String, float[]> train(Path root, long total, boolean resume, Collectives group) throws IOException {
        Engine.getInstance();
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return trainWithoutGradMode(root, total, resume, group);
        } finally {
            JniUtils.setGradMode(before);
        }
    }

    private static Map<String, float[]> trainWithoutGradMode(Path root, long total, boolean resume, Collectives group)
            throws IOException {
        try (DataParallel<Mlp> dp = new DataParallel<>(TrainingLoopRanksTest::fixedMlp, List.of(Device.cpu()), group);
             AdamW opt = new AdamW(dp.master().trainableParameters(),
                     ParamGroups.single(dp.master().trainableParameters(), 0.01))) {
            RunDir run = RunDir.forProcess(root, "job", CONFIG, resume, group.env());
            TrainingLoop.builder().setRun(run).setTotalSteps(total).setSeed(4)
                    .optLearningRate(s -> 0.01).optLogEvery(1).optCheckpointEvery(3).optProgressTerminal(null)
                    .optReseedEngine(false).optResume(resume).optProcess(group.env())
                    .build()
                    .run(dp.master().manager(), ModelState.of(dp.master(), opt), ctx -> {
                        opt.zeroGrad();
                        double loss = dp.finishStep(dp.step(MSE, batch(ctx.step(), ctx.manager())), ctx.manager());
                        ctx.update(opt, loss);
                        return StepResult.of(loss, BATCH);
                    });
            Map<String, float[]> out = new TreeMap<>();
            for (Map.Entry<String, Parameter> e : dp.master().trainableParameters().entrySet()) {
                out.put(e.getKey(), e.getValue().array().toFloatArray());
            }
            return out;
        }
    }

    /** An MLP whose initial weights come from a fixed Java seed (the engine RNG is shared by the rank threads). */
    private static Mlp fixedMlp(NDManager m) {
        Mlp mlp = new Mlp(m, DIM, 16, false);
        Random r = new Random(9);
        for (Parameter p : mlp.trainableParameters().values()) {
            float[] w = new float[(int) p.array().size()];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (0.3 * r.nextGaussian());
            }
            ThreadCollectives.overwrite(p.array(), w);
        }
        return mlp;
    }

    private static List<Map<String, float[]>> trainOnRanks(Path root, long total, boolean resume, int world)
            throws Exception {
        ThreadCollectives.Job job = new ThreadCollectives.Job(world);
        ExecutorService pool = Executors.newFixedThreadPool(world);
        try {
            List<Future<Map<String, float[]>>> futures = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                Collectives group = job.rank(r);
                futures.add(pool.submit(() -> train(root, total, resume, group)));
            }
            List<Map<String, float[]>> out = new ArrayList<>();
            for (Future<Map<String, float[]>> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    private static void assertClose(Map<String, float[]> expected, Map<String, float[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), 1e-5f, what + ": " + k));
    }

    @Test
    void twoRanksTrainAsOneProcessOnTheGlobalBatchAndOnlyRankZeroWrites(@TempDir Path tmp) throws Exception {
        Map<String, float[]> single = train(tmp.resolve("single"), 6, false, Collectives.single());
        List<Map<String, float[]>> ranks = trainOnRanks(tmp.resolve("ranks"), 6, false, 2);

        assertClose(single, ranks.get(0), "rank 0 vs one process");
        assertClose(ranks.get(0), ranks.get(1), "rank 1 vs rank 0");
        assertEquals(files(tmp.resolve("single/job")), files(tmp.resolve("ranks/job")),
                "the two-rank run folder holds what one process writes, nothing more");
        List<String> metrics = Files.readAllLines(tmp.resolve("ranks/job/metrics.jsonl"));
        assertEquals(6, metrics.size(), "one metrics line per step, written once");
    }

    @Test
    void aRunResumesOnAnotherNumberOfRanksWithTheSameGlobalBatch(@TempDir Path tmp) throws Exception {
        List<Map<String, float[]>> whole = trainOnRanks(tmp.resolve("whole"), 9, false, 2);
        trainOnRanks(tmp.resolve("split"), 3, false, 2);
        train(tmp.resolve("split"), 6, true, Collectives.single());
        List<Map<String, float[]>> resumed = trainOnRanks(tmp.resolve("split"), 9, true, 2);
        assertClose(whole.get(0), resumed.get(0), "2 ranks, resumed on 1 at step 3, on 2 at step 6: rank 0");
        assertClose(whole.get(0), resumed.get(1), "the same: rank 1");
        assertEquals(9, Files.readAllLines(tmp.resolve("split/job/metrics.jsonl")).size());
    }
}
