package dev.usp.train.parallel;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.usp.core.nn.Mlp;
import dev.usp.core.nn.Parameter;
import dev.usp.train.optim.AdamW;
import dev.usp.train.optim.ParamGroups;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data parallel over two CPU replicas (separate managers) against one model trained on the full
 * batch with the mean loss: same gradients, same AdamW trajectory, no memory growth.
 */
class DataParallelTest {

    private static final int DIM = 6;
    private static final int BATCH = 8;
    private static final Function<NDManager, Mlp> FACTORY = m -> new Mlp(m, DIM, 12, false);
    private static final ShardLoss<Mlp> MSE =
            (model, shard) -> model.forward(shard.get(0)).sub(shard.get(1)).square().mean();

    private NDManager data;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void setUp() {
        Engine.getInstance().setRandomSeed(7);
        data = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        data.close();
    }

    private <T extends AutoCloseable> T track(T resource) {
        open.add(resource);
        return resource;
    }

    private DataParallel<Mlp> parallel(int replicas) {
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            devices.add(Device.cpu());
        }
        return track(new DataParallel<>(FACTORY, devices));
    }

    /** A plain model holding the master's initial weights. */
    private Mlp copyOf(Mlp master) {
        Mlp single = track(FACTORY.apply(NDManager.newBaseManager()));
        single.loadStateDict(master.stateDict(), true);
        return single;
    }

    /** Inputs and targets of one step, drawn on the host from the step number. */
    private NDArray[] batch(NDManager manager, int step, int size) {
        Random r = new Random(100 + step);
        float[] x = new float[size * DIM];
        float[] y = new float[size * DIM];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            y[i] = (float) r.nextGaussian();
        }
        return new NDArray[] {manager.create(x, new Shape(size, DIM)), manager.create(y, new Shape(size, DIM))};
    }

    /** Plain training's forward and backward of the mean loss over the full batch. */
    private static double plainStep(Mlp model, NDArray[] batch) {
        try (NDManager step = model.manager().newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDList shard = new NDList(batch);
            for (NDArray a : batch) {
                a.tempAttach(step);
            }
            NDArray loss = MSE.loss(model, shard);
            gc.backward(loss);
            return loss.getFloat();
        }
    }

    private static float[] grad(Parameter p) {
        return grad(p.array());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void gradientsEqualThoseOfTheMeanLossOverTheFullBatch(int replicas) {
        DataParallel<Mlp> dp = parallel(replicas);
        Mlp single = copyOf(dp.master());
        NDArray[] b = batch(data, 0, BATCH);

        double parallelLoss = dp.step(MSE, b);
        double plainLoss = plainStep(single, b);

        assertEquals(plainLoss, parallelLoss, 1e-6);
        Map<String, Parameter> expected = single.trainableParameters();
        for (Map.Entry<String, Parameter> e : dp.master().trainableParameters().entrySet()) {
            assertArrayEquals(grad(expected.get(e.getKey())), grad(e.getValue()), 1e-6f, e.getKey());
        }
    }

    @Test
    void mapConcatenatesTheReplicasOutputsInBatchOrder() {
        DataParallel<Mlp> dp = parallel(2);
        NDArray x = batch(data, 3, BATCH)[0];
        int before = dp.master().manager().getManagedArrays().size();
        NDArray spread = dp.map((model, shard) -> model.forward(shard.get(0)), data, x);
        assertEquals(data, spread.getManager());
        assertEquals(new Shape(BATCH, DIM), spread.getShape());
        try (NDManager m = dp.master().manager().newSubManager()) {
            NDArray whole = dp.master().forward(x.toDevice(m.getDevice(), true));
            assertArrayEquals(whole.toFloatArray(), spread.toFloatArray(), 1e-6f);
        }
        assertEquals(before, dp.master().manager().getManagedArrays().size());
    }

    @Test
    void fiveAdamWStepsMatchSingleDeviceTrainingWithoutMemoryGrowth() {
        DataParallel<Mlp> dp = parallel(2);
        Mlp single = copyOf(dp.master());
        AdamW dpOpt = track(new AdamW(dp.master().trainableParameters(),
                ParamGroups.single(dp.master().trainableParameters(), 0.05)));
        AdamW singleOpt = track(new AdamW(single.trainableParameters(),
                ParamGroups.single(single.trainableParameters(), 0.05)));
        float[] initial = dp.master().trainableParameters().get("fc2.weight").array().toFloatArray();
        int[] managed = new int[2];
        for (int step = 0; step < 5; step++) {
            try (NDManager stepData = data.newSubManager()) {
                NDArray[] b = batch(stepData, step, BATCH);
                dpOpt.zeroGrad();
                double parallelLoss = dp.step(MSE, b);
                dpOpt.step(1e-2);
                singleOpt.zeroGrad();
                double plainLoss = plainStep(single, b);
                singleOpt.step(1e-2);
                assertEquals(plainLoss, parallelLoss, 1e-5, "loss at step " + step);
            }
            for (int i = 0; i < 2; i++) {
                int size = dp.replicas().get(i).manager().getManagedArrays().size();
                if (step == 0) {
                    managed[i] = size;
                } else {
                    assertEquals(managed[i], size, "arrays of replica " + i + " after step " + step);
                }
            }
        }
        dp.broadcast();
        Map<String, Parameter> expected = single.trainableParameters();
        for (Mlp replica : dp.replicas()) {
            for (Map.Entry<String, Parameter> e : replica.trainableParameters().entrySet()) {
                assertArrayEquals(expected.get(e.getKey()).array().toFloatArray(),
                        e.getValue().array().toFloatArray(), 1e-5f, e.getKey());
            }
        }
        float[] after = dp.master().trainableParameters().get("fc2.weight").array().toFloatArray();
        assertTrue(maxAbsDiff(initial, after) > 1e-3, "training moved the weights");
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    @Test
    void oneDeviceIsABitwisePassThrough() {
        DataParallel<Mlp> dp = parallel(1);
        Mlp single = copyOf(dp.master());
        AdamW dpOpt = track(new AdamW(dp.master().trainableParameters(),
                ParamGroups.single(dp.master().trainableParameters(), 0.05)));
        AdamW singleOpt = track(new AdamW(single.trainableParameters(),
                ParamGroups.single(single.trainableParameters(), 0.05)));
        for (int step = 0; step < 3; step++) {
            try (NDManager stepData = data.newSubManager()) {
                NDArray[] b = batch(stepData, step, BATCH);
                dpOpt.zeroGrad();
                double parallelLoss = dp.step(MSE, b);
                singleOpt.zeroGrad();
                double plainLoss = plainStep(single, b);
                assertEquals(plainLoss, parallelLoss, 0.0, "loss at step " + step);
                Map<String, Parameter> expected = single.trainableParameters();
                for (Map.Entry<String, Parameter> e : dp.master().trainableParameters().entrySet()) {
                    assertArrayEquals(grad(expected.get(e.getKey())), grad(e.getValue()), e.getKey());
                }
                dpOpt.step(1e-2);
                singleOpt.step(1e-2);
            }
        }
        Map<String, Parameter> expected = single.trainableParameters();
        for (Map.Entry<String, Parameter> e : dp.master().trainableParameters().entrySet()) {
            assertArrayEquals(expected.get(e.getKey()).array().toFloatArray(),
                    e.getValue().array().toFloatArray(), e.getKey());
        }
    }

    @Test
    void batchesThatCannotBeSplitEvenlyAreRefusedWithTheirSizes() {
        DataParallel<Mlp> dp = parallel(2);
        NDArray[] odd = batch(data, 0, 7);
        IllegalArgumentException uneven = assertThrows(IllegalArgumentException.class, () -> dp.step(MSE, odd));
        assertTrue(uneven.getMessage().contains("batch of 7 examples") && uneven.getMessage().contains("2 devices"),
                uneven.getMessage());

        NDArray x = batch(data, 0, 8)[0];
        NDArray y = batch(data, 0, 6)[1];
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class, () -> dp.step(MSE, x, y));
        assertTrue(mismatch.getMessage().contains("array 0 has 8") && mismatch.getMessage().contains("array 1 has 6"),
                mismatch.getMessage());

        ShardLoss<Mlp> notScalar = (model, shard) -> model.forward(shard.get(0));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> dp.step(notScalar, batch(data, 0, BATCH)));
        assertTrue(shape.getMessage().contains("(4, 6)"), shape.getMessage());
    }

    @Test
    void aFailingReplicaThreadIsReportedByIndexAndLeavesNoArraysBehind() {
        DataParallel<Mlp> dp = parallel(2);
        Mlp second = dp.replicas().get(1);
        int before = second.manager().getManagedArrays().size();
        ShardLoss<Mlp> failsOnSecond = (model, shard) -> {
            if (model == second) {
                throw new IllegalStateException("boom");
            }
            return MSE.loss(model, shard);
        };
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> dp.step(failsOnSecond, batch(data, 0, BATCH)));
        assertTrue(e.getMessage().startsWith("replica 1 on cpu() failed") && e.getMessage().contains("boom"),
                e.getMessage());
        assertEquals(before, second.manager().getManagedArrays().size());
    }

    /**
     * Why the master's gradient is added through a surrogate backward rather than written in
     * place: DJL's {@code getGradient()} is a live view of PyTorch's {@code .grad} only once a
     * backward has created it; before that it is an unlinked zero array and writes are lost.
     */
    @Test
    void getGradientIsALiveViewOnlyAfterABackward() {
        NDArray w = data.create(new float[] {1f, 2f});
        w.setRequiresGradient(true);
        try (NDArray early = w.getGradient()) {
            early.addi(5f);
        }
        backwardOfSum(w);
        assertArrayEquals(new float[] {1f, 1f}, grad(w), "the write before any backward was lost");
        try (NDArray live = w.getGradient()) {
            live.addi(5f);
        }
        assertArrayEquals(new float[] {6f, 6f}, grad(w), "the write after a backward is seen");
    }

    private static void backwardOfSum(NDArray w) {
        try (NDManager step = w.getManager().newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray x = step.create(new float[] {1f, 1f});
            gc.backward(x.mul(w).sum());
        }
    }

    private static float[] grad(NDArray w) {
        try (NDArray g = w.getGradient()) {
            return g.toFloatArray();
        }
    }
}
