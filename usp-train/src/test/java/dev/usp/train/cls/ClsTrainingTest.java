package dev.usp.train.cls;

import dev.usp.eval.metrics.Accuracy;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.config.RunConfig;
import dev.usp.core.nn.Parameter;
import dev.usp.models.vit.GlobalPool;
import dev.usp.models.vit.VisionTransformer;
import dev.usp.train.loop.Checkpoint;
import dev.usp.train.loop.CheckpointStore;
import dev.usp.train.loop.MetricsLog;
import dev.usp.train.loop.RunDir;
import dev.usp.train.loop.TrainState;
import dev.usp.train.loop.TrainingLoop;
import dev.usp.train.optim.AdamW;
import dev.usp.train.optim.Lars;
import dev.usp.train.optim.ParamGroup;
import dev.usp.train.optim.ParamGroups;
import dev.usp.train.parallel.DataParallel;
import dev.usp.vae.cache.LatentCache;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import dev.usp.train.tensorboard.EventReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fine-tuning and linear probing on tiny synthetic latent caches (4 separable classes, 4x4x4
 * latents, a tiny ViT with 4 tokens).
 */
class ClsTrainingTest {

    private static final int CLASSES = 4;
    private static final List<Device> CPU = List.of(Device.cpu());

    @TempDir
    static Path dir;
    private static Path trainCache;
    private static Path testCache;
    private static NDManager manager;

    @BeforeAll
    static void caches() throws IOException {
        trainCache = SyntheticCaches.write(dir.resolve("train"), 64, CLASSES, 7, 1, 0.3);
        testCache = SyntheticCaches.write(dir.resolve("test"), 40, CLASSES, 7, 2, 0.3);
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    private static ClsDataConfig data() {
        return new ClsDataConfig(trainCache, testCache, CLASSES, LatentInput.MEAN, 20);
    }

    private static ClsRunConfig run(String name, int evalEvery) {
        return new ClsRunConfig(new RunConfig(dir.resolve("runs"), name, 4, 0, 1, false), evalEvery);
    }

    /** A probe of the first 2 of the tiny ViT's 6 blocks. */
    private static LinprobeConfig probeConfig(String name, boolean precompute, double epochs, GlobalPool pool) {
        return LinprobeConfig.of(null, data(), new ClsModelConfig("vit_tiny_patch16_vae", 2, pool, 0.0, 4, 0.01),
                new ClsOptimConfig(epochs, 16, 1, new OptimConfig("lars", 5.0, 0.1, 0, 0, 0.9, 0.999, 1, 0,
                "cosine")), precompute, run(name, 0), 0);
    }

    /** The tiny ViT cut to 2 blocks, head std 0.02 (gradients well above Adam's eps), 2 epochs of 4 steps. */
    private static FinetuneConfig finetuneConfig(String name, double layerDecay) {
        return FinetuneConfig.of(null, data(), new ClsModelConfig("vit_tiny_patch16_vae", 2, GlobalPool.AVG, 0.1, 4,
                0.02), new ClsOptimConfig(2, 16, 1, new OptimConfig("adamw", 1e-3, 0, 1e-6, 0.05, 0.9, 0.999, 1, 0,
                "cosine")), layerDecay, 1.0, new MixConfig(0.8, 1.0, 0.5, 0.5, 0.1), run(name, 4), 0);
    }

    @Test
    void linearProbeLearnsSeparableClasses() throws IOException {
        ClsResult r = LinearProbe.run(probeConfig("probe", true, 8, GlobalPool.AVG), 3, CPU, false);
        assertEquals(32, r.steps());
        assertTrue(r.bestTop1() >= 75, "top-1 " + r.bestTop1() + "% on 4 separable classes (chance 25%)");
        assertEquals(100.0, r.bestTop5(), "top-5 of 4 classes is every class");
        assertTrue(Files.isRegularFile(r.runDir().resolve(AccuracyHistory.PLOT)));
        List<AccuracyHistory.Entry> evals = AccuracyHistory.open(r.runDir()).entries();
        assertEquals(8, evals.size(), "one evaluation per epoch");
        // TensorBoard as MAE's main_linprobe: perf/test_acc1, _acc5, _loss against the epoch just trained
        List<EventReader.Event> tb = EventReader.readDir(r.runDir());
        for (String tag : List.of("perf/test_acc1", "perf/test_acc5", "perf/test_loss")) {
            List<String> expected = new ArrayList<>();
            for (int epoch = 0; epoch < evals.size(); epoch++) {
                Accuracy a = evals.get(epoch).accuracy();
                double v = tag.endsWith("acc1") ? a.top1() : tag.endsWith("acc5") ? a.top5() : a.loss();
                expected.add(epoch + " " + (float) v);
            }
            assertEquals(expected, tb.stream().filter(e -> tag.equals(e.tag())).map(e -> e.step() + " " + e.value())
                    .toList(), tag);
        }
        // loss every 4 steps (log_every), at MAE's epoch_1000x of the last step: int((3 / 4 + epoch) * 1000)
        assertEquals(List.of(750L, 1750L, 2750L, 3750L, 4750L, 5750L, 6750L, 7750L),
                tb.stream().filter(e -> "loss".equals(e.tag())).map(EventReader.Event::step).toList());
    }

    @Test
    void finetuneLossFallsAndAccuracyRises() throws IOException {
        ClsResult r = ClassifierFinetune.run(finetuneConfig("finetune", 0.75), 5, CPU, false);
        assertEquals(8, r.steps());
        assertEquals(2, AccuracyHistory.open(r.runDir()).entries().size(), "evaluations at steps 4 and 8");
        List<Map<String, Double>> lines = MetricsLog.read(r.runDir().resolve(RunDir.METRICS));
        double[][] loss = MetricsLog.column(lines, "loss");
        double first = loss[1][0];
        double last = loss[1][loss[1].length - 1];
        assertTrue(last < first - 0.1, "loss " + first + " -> " + last);
        assertTrue(r.bestTop1() > 50, "top-1 " + r.bestTop1() + "% (chance 25%)");
        assertTrue(lines.stream().anyMatch(l -> l.containsKey("grad_norm")), "clip_grad logs the gradient norm");
    }

    @Test
    void resumedFinetuneEqualsAnUninterruptedOne() throws IOException {
        FinetuneConfig whole = finetuneConfig("whole", 0.75);
        FinetuneConfig cut = FinetuneConfig.of(null, whole.classifierData(), whole.model(), new ClsOptimConfig(0.5,
                16, 1, new OptimConfig("adamw", 1e-3, 0, 1e-6, 0.05, 0.9, 0.999, 1, 0, "cosine")), 0.75, 1.0,
                whole.mix(), run("parts", 8), 0);
        FinetuneConfig rest = FinetuneConfig.of(null, whole.classifierData(), whole.model(), new ClsOptimConfig(1, 16,
                1, new OptimConfig("adamw", 1e-3, 0, 1e-6, 0.05, 0.9, 0.999, 1, 0, "cosine")), 0.75, 1.0, whole.mix(),
                run("parts", 8), 0);
        FinetuneConfig once = FinetuneConfig.of(null, whole.classifierData(), whole.model(), rest.schedule(), 0.75,
                1.0, whole.mix(), run("once", 8), 0);
        ClassifierFinetune.run(cut, 5, CPU, false);
        ClsResult resumed = ClassifierFinetune.run(rest, 5, CPU, true);
        ClsResult straight = ClassifierFinetune.run(once, 5, CPU, false);
        assertEquals(4, resumed.steps());
        assertSameEnd(resumed, straight, "model");
    }

    @Test
    void resumedLinearProbeEqualsAnUninterruptedOne() throws IOException {
        LinprobeConfig whole = probeConfig("probe-once", true, 1, GlobalPool.AVG);
        LinprobeConfig cut = LinprobeConfig.of(null, whole.classifierData(), whole.model(),
                new ClsOptimConfig(0.5, 16, 1, whole.schedule().optim()), true, run("probe-parts", 0), 0);
        LinprobeConfig rest = LinprobeConfig.of(null, whole.classifierData(), whole.model(), whole.schedule(), true,
                run("probe-parts", 0), 0);
        LinearProbe.run(cut, 3, CPU, false);
        ClsResult resumed = LinearProbe.run(rest, 3, CPU, true);
        ClsResult straight = LinearProbe.run(whole, 3, CPU, false);
        assertEquals(4, resumed.steps());
        Set<String> head = assertSameEnd(resumed, straight, "head", "optimizer").get("head");
        assertTrue(head.contains("head.1.weight") && head.stream().allMatch(k -> k.startsWith("head.")),
                "the probe saves its head only: " + head);
    }

    /**
     * Asserts that the last checkpoints of two runs hold bitwise the same {@code parts} and that their
     * final accuracies are equal; returns the tensor names of each part.
     */
    private static Map<String, Set<String>> assertSameEnd(ClsResult resumed, ClsResult straight, String... parts)
            throws IOException {
        Map<String, Set<String>> names = new LinkedHashMap<>();
        try (NDManager m = manager.newSubManager();
             Checkpoint a = Checkpoint.load(last(resumed), m);
             Checkpoint b = Checkpoint.load(last(straight), m)) {
            for (String part : parts) {
                assertEquals(b.part(part).keys(), a.part(part).keys(), part);
                for (String k : b.part(part).keys()) {
                    assertArrayEquals(b.part(part).get(k).toByteArray(), a.part(part).get(k).toByteArray(), k);
                }
                names.put(part, Set.copyOf(b.part(part).keys()));
            }
        }
        assertEquals(straight.finalTop1(), resumed.finalTop1());
        return names;
    }

    private static Path last(ClsResult r) throws IOException {
        return new CheckpointStore(r.runDir().resolve(RunDir.CHECKPOINTS), 2, 0).latest().orElseThrow();
    }

    @Test
    void linearProbeTrainsOnlyTheHead() throws IOException {
        try (NDManager m = manager.newSubManager();
             LatentCache train = LatentCache.open(trainCache, m);
             LatentCache test = LatentCache.open(testCache, m)) {
            LinprobeConfig cfg = probeConfig("frozen", false, 1, GlobalPool.TOKEN);
            try (DataParallel<VisionTransformer> dp = replicas(cfg.model(), cfg.classifierData(), train, test, true, 1)) {
                VisionTransformer model = dp.master();
                Map<String, float[]> before = snapshot(model);
                Map<String, Parameter> head = LinearProbe.headParameters(model);
                assertEquals(List.of("head.1.weight", "head.1.bias"), List.copyOf(head.keySet()));
                try (Lars opt = new Lars(head, ParamGroups.single(head, 0))) {
                    ClsBatches batches = new ClsBatches(train, 16, 1, LatentInput.MEAN);
                    LinearProbe.Trainer t = new LinearProbe.Trainer(dp, opt, batches, null, 1, CLASSES);
                    train(t.state(), t::step, "frozen", 3, 1, m);
                }
                Map<String, float[]> after = snapshot(model);
                for (String k : before.keySet()) {
                    if (k.startsWith("head.")) {
                        assertFalse(Arrays.equals(before.get(k), after.get(k)), k + " should change");
                    } else {
                        assertArrayEquals(before.get(k), after.get(k), k + " must stay bitwise equal");
                    }
                }
            }
        }
    }

    @Test
    void precomputedAndPerStepFeaturesGiveTheSameHead() throws IOException {
        try (NDManager m = manager.newSubManager();
             LatentCache train = LatentCache.open(trainCache, m);
             LatentCache test = LatentCache.open(testCache, m)) {
            LinprobeConfig cfg = probeConfig("same", true, 1, GlobalPool.TOKEN);
            List<Map<String, float[]>> heads = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                try (DataParallel<VisionTransformer> dp = replicas(cfg.model(), cfg.classifierData(), train, test, true, 11);
                     Lars opt = new Lars(LinearProbe.headParameters(dp.master()),
                             ParamGroups.single(LinearProbe.headParameters(dp.master()), 0));
                     FeatureTable table = i == 0
                             ? FeatureTable.compute(dp.master(), train, LatentInput.MEAN, 24, true, m) : null;
                     FeatureTable testTable = FeatureTable.compute(dp.master(), test, LatentInput.MEAN, 24, false, m)) {
                    VisionTransformer model = dp.master();
                    ClsBatches batches = new ClsBatches(train, 16, 9, LatentInput.MEAN);
                    LinearProbe.Trainer t = new LinearProbe.Trainer(dp, opt, batches, table, 1, CLASSES);
                    train(t.state(), t::step, "same-" + i, 1, 0.5, m);
                    Accuracy stored = LinearProbe.evaluate(model, test, testTable, 16);
                    Accuracy forward = LinearProbe.evaluate(model, test, null, 16);
                    assertEquals(forward.top1(), stored.top1(), "top-1 from stored test features");
                    assertEquals(forward.loss(), stored.loss(), 1e-5, "loss from stored test features");
                    heads.add(snapshot(model));
                }
            }
            for (String k : heads.get(0).keySet()) {
                if (k.startsWith("head.0.num_batches")) {
                    continue;
                }
                float[] a = heads.get(0).get(k);
                float[] b = heads.get(1).get(k);
                for (int j = 0; j < a.length; j++) {
                    assertEquals(a[j], b[j], 1e-5 + 1e-4 * Math.abs(a[j]), k + "[" + j + "]");
                }
            }
        }
    }

    @Test
    void finetuneStepUsesLayerDecayScales() throws IOException {
        double ld = 0.5;
        double lr = 1e-3;
        try (NDManager m = manager.newSubManager();
             LatentCache train = LatentCache.open(trainCache, m);
             LatentCache test = LatentCache.open(testCache, m)) {
            FinetuneConfig cfg = finetuneConfig("ld", ld);
            try (DataParallel<VisionTransformer> dp = replicas(cfg.model(), cfg.classifierData(), train, test, false, 2)) {
                VisionTransformer model = dp.master();
                int depth = model.config().depth();
                List<ParamGroup> groups = ClassifierFinetune.paramGroups(model, cfg);
                assertEquals(Math.pow(ld, depth), scaleOf(groups, "blocks.0.mlp.fc1.bias"), 1e-12);
                assertEquals(Math.pow(ld, 1), scaleOf(groups, "blocks." + (depth - 1) + ".mlp.fc1.bias"), 1e-12);
                assertEquals(Math.pow(ld, depth + 1), scaleOf(groups, "pos_embed"), 1e-12);
                assertEquals(1.0, scaleOf(groups, "head.bias"), 1e-12);
                Map<String, float[]> before = snapshot(model);
                try (AdamW opt = new AdamW(model.trainableParameters(), groups)) {
                    ClassifierFinetune.Trainer t = new ClassifierFinetune.Trainer(dp, opt,
                            new ClsBatches(train, 16, 4, LatentInput.MEAN), cfg);
                    train(t.state(), t::step, "ld", 1, lr, m);
                }
                Map<String, float[]> after = snapshot(model);
                // Adam's first step moves every entry with a non-zero gradient by lr * scale (no decay on biases)
                String[] names = {"head.bias", "fc_norm.bias", "blocks." + (depth - 1) + ".mlp.fc2.bias", "blocks.0.mlp.fc2.bias"};
                double[] scales = {1, 1, ld, Math.pow(ld, depth)};
                for (int i = 0; i < names.length; i++) {
                    assertEquals(lr * scales[i], maxAbsDiff(before.get(names[i]), after.get(names[i])),
                            1e-2 * lr * scales[i], names[i]);
                }
            }
        }
    }

    /** One replica of the classifier on the CPU, as the trainers build it. */
    private static DataParallel<VisionTransformer> replicas(ClsModelConfig mc, ClsDataConfig data, LatentCache train,
                                                           LatentCache test, boolean probe, long seed) {
        return new DataParallel<>(mm -> ClsSetup.buildModel(mc, data, train, test, probe, seed, mm), CPU);
    }

    private static double scaleOf(List<ParamGroup> groups, String name) {
        return groups.stream().filter(g -> g.params().contains(name)).findFirst().orElseThrow().lrScale();
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    private static void train(TrainState state, TrainingLoop.StepFunction fn, String name,
                              long steps, double lr, NDManager parent) throws IOException {
        RunDir run = RunDir.create(dir.resolve("loops"), name, "");
        TrainingLoop.builder().setRun(run).setTotalSteps(steps).setSeed(1).optLearningRate(s -> lr)
                .optProgressTerminal(null).build().run(parent, state, fn);
    }

    private static Map<String, float[]> snapshot(VisionTransformer model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.namedTensors().forEach((k, p) -> out.put(k, p.array().toType(DataType.FLOAT32, true)
                .toFloatArray()));
        return out;
    }
}
