package dev.usp.train.cls;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.config.RunConfig;
import dev.usp.core.weights.StateDict;
import dev.usp.models.vit.GlobalPool;
import dev.usp.train.loop.Checkpoint;
import dev.usp.train.loop.CheckpointStore;
import dev.usp.train.loop.RunDir;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fine-tuning and linear probing over two CPU replicas against one device on the same global
 * batches: the trained parameters agree within 1e-5 (the replicas' gradient sum only reorders
 * float additions).
 */
class ClsDataParallelTest {

    private static final int CLASSES = 4;
    private static final List<Device> ONE = List.of(Device.cpu());
    private static final List<Device> TWO = List.of(Device.cpu(), Device.cpu());

    @TempDir
    static Path dir;

    @BeforeAll
    static void caches() throws IOException {
        SyntheticCaches.write(dir.resolve("train"), 64, CLASSES, 7, 1, 0.3);
        SyntheticCaches.write(dir.resolve("test"), 16, CLASSES, 7, 2, 0.3);
    }

    private static ClsDataConfig data() {
        return new ClsDataConfig(dir.resolve("train"), dir.resolve("test"), CLASSES, LatentInput.MEAN, 16);
    }

    private static ClsRunConfig run(String name) {
        return new ClsRunConfig(new RunConfig(dir.resolve("runs"), name, 4, 0, 1, false), 0);
    }

    /** Drop path 0 (it draws from the engine RNG per thread); mixup/cutmix and clipping on. */
    private static FinetuneConfig finetune(String name) {
        return FinetuneConfig.of(null, data(), new ClsModelConfig("vit_tiny_patch16_vae", 2, GlobalPool.AVG, 0.0, 4,
                0.02), new ClsOptimConfig(1, 16, 1, new OptimConfig("adamw", 1e-3, 0, 1e-6, 0.05, 0.9, 0.999, 0.25, 0,
                "cosine")), 0.75, 1.0, new MixConfig(0.8, 1.0, 0.5, 0.5, 0.1), run(name), 0);
    }

    /** Per-step encoder features (the data-parallel path), accum 2. */
    private static LinprobeConfig probe(String name) {
        return LinprobeConfig.of(null, data(), new ClsModelConfig("vit_tiny_patch16_vae", 2, GlobalPool.TOKEN, 0.0, 4,
                0.01), new ClsOptimConfig(1, 8, 2, new OptimConfig("lars", 5.0, 0.1, 0, 0, 0.9, 0.999, 0.25, 0,
                "cosine")), false, run(name), 0);
    }

    /** A trainer run on the given devices, named after them. */
    @FunctionalInterface
    private interface Run {
        ClsResult on(String name, List<Device> devices) throws IOException;
    }

    @Test
    void finetuneOverTwoReplicasEqualsOneDevice() throws IOException {
        assertTwoReplicasMatchOne((name, devices) -> ClassifierFinetune.run(finetune(name), 5, devices, false), "model");
    }

    @Test
    void linearProbeOverTwoReplicasEqualsOneDevice() throws IOException {
        assertTwoReplicasMatchOne((name, devices) -> LinearProbe.run(probe(name), 3, devices, false), "head");
    }

    @Test
    void aBatchThatDoesNotSplitEvenlyIsRefused() {
        List<Device> three = List.of(Device.cpu(), Device.cpu(), Device.cpu());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClassifierFinetune.run(finetune("ft-3"), 5, three, false));
        assertTrue(e.getMessage().contains("batch_size 16"), e.getMessage());
    }

    /** Trains 4 steps on one device and on two; every tensor of the final checkpoints' {@code part} within 1e-5. */
    private static void assertTwoReplicasMatchOne(Run run, String part) throws IOException {
        ClsResult a = run.on(part + "-1", ONE);
        ClsResult b = run.on(part + "-2", TWO);
        assertEquals(4, b.steps());
        try (NDManager m = NDManager.newBaseManager();
             Checkpoint ca = Checkpoint.load(last(a), m);
             Checkpoint cb = Checkpoint.load(last(b), m)) {
            StateDict sa = ca.part(part);
            StateDict sb = cb.part(part);
            assertEquals(sa.keys(), sb.keys());
            for (String k : sa.keys()) {
                if (k.endsWith("num_batches_tracked")) {
                    continue;
                }
                float[] x = sa.get(k).toType(DataType.FLOAT32, false).toFloatArray();
                float[] y = sb.get(k).toType(DataType.FLOAT32, false).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(x[i], y[i], 1e-5, k + "[" + i + "]");
                }
            }
        }
    }

    private static Path last(ClsResult r) throws IOException {
        return new CheckpointStore(r.runDir().resolve(RunDir.CHECKPOINTS), 2, 0).latest().orElseThrow();
    }
}
