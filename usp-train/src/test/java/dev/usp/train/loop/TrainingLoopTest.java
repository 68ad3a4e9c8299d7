package dev.usp.train.loop;

import dev.usp.core.engine.ProcessMemory;
import dev.usp.train.tensorboard.EventReader;
import dev.usp.train.tensorboard.TensorBoardTags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingLoopTest {

    private static final Logger LOG = LoggerFactory.getLogger(TrainingLoopTest.class);
    private static final String CONFIG = "model: linear-8-4\nlr: 0.05\n";
    private static final long SEED = 42;

    @TempDir
    Path root;

    private static TrainingLoop.Builder loop(RunDir run, long total) {
        return TrainingLoop.builder().setRun(run).setTotalSteps(total).setSeed(SEED)
                .optLearningRate(s -> 0.05).optLogEvery(1).optProgressTerminal(null);
    }

    @Test
    void metricsLinesParseAndHoldTheFields() throws IOException {
        RunDir run = RunDir.create(root, "metrics", CONFIG);
        try (TinyRegression t = new TinyRegression(1)) {
            loop(run, 12).optLogEvery(4).optStepsPerEpoch(5)
                    .build().run(t.manager, t, ctx -> t.step(ctx).with("extra", ctx.step()));
        }
        assertEquals(CONFIG, Files.readString(run.dir().resolve(RunDir.CONFIG)));
        List<Map<String, Double>> rows = MetricsLog.read(run.metrics());
        assertEquals(3, rows.size());
        assertEquals(List.of(4.0, 8.0, 12.0), List.of(rows.get(0).get("step"), rows.get(1).get("step"), rows.get(2).get("step")));
        // epoch of the last step of each window: indices 3, 7, 11 with 5 steps per epoch
        assertEquals(List.of(0.0, 1.0, 2.0), List.of(rows.get(0).get("epoch"), rows.get(1).get("epoch"), rows.get(2).get("epoch")));
        for (Map<String, Double> r : rows) {
            assertEquals(List.of("step", "epoch", "loss", "lr", "extra"), List.copyOf(r.keySet()),
                    "metrics.jsonl holds what the run computes, nothing the machine's speed decides");
            assertEquals(0.05, r.get("lr"), 1e-12);
            assertTrue(r.get("loss") > 0, r.toString());
        }
        List<Map<String, Double>> timing = MetricsLog.read(run.timing());
        assertEquals(3, timing.size());
        for (Map<String, Double> r : timing) {
            assertEquals(List.of("step", "epoch", "samples_per_s", "time_s"), List.copyOf(r.keySet()));
            assertTrue(r.get("samples_per_s") > 0 && r.get("time_s") > 0, r.toString());
        }
        // the extra scalar is the mean over the window: indices 0..3 -> 1.5, 4..7 -> 5.5
        assertEquals(1.5, rows.get(0).get("extra"), 1e-12);
        assertEquals(5.5, rows.get(1).get("extra"), 1e-12);
        assertTrue(Files.size(run.file(RunDir.LOSS_PLOT)) > 0);
        assertEquals(run.checkpoints().resolve("step-000000012.safetensors"),
                CheckpointStore.findLatest(run.dir()).orElseThrow());
    }

    @Test
    void everyMetricsValueAndEveryHandedImageReachTheEventFile() throws IOException {
        RunDir run = RunDir.create(root, "tensorboard", CONFIG);
        Path png = run.file("grid.png");
        ImageIO.write(new BufferedImage(5, 4, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        TensorBoardTags tags = TensorBoardTags.epoch1000x(3, 1).rename("loss", "train_loss")
                .perEpoch("acc", "perf/acc", 3);
        try (TinyRegression t = new TinyRegression(3)) {
            loop(run, 6).optLogEvery(2).optStepsPerEpoch(3).optCheckpointEvery(3).optTensorBoard(tags)
                    .optBest("acc", true, s -> new TrainingLoop.Score(s / 10.0, Map.of("acc5", s / 5.0)))
                    .build().run(t.manager, t, ctx -> {
                        if (ctx.step() == 1) {
                            ctx.image("samples", png);
                        }
                        return t.step(ctx);
                    });
        }
        List<String> expected = new ArrayList<>();
        for (Map<String, Double> row : MetricsLog.read(run.metrics())) {
            long step = row.get("step").longValue();
            row.forEach((k, v) -> {
                if (!k.equals("step") && !k.equals("epoch")) {
                    expected.add(tags.tag(k) + " " + tags.x(k, step) + " " + v.floatValue());
                }
            });
            if (step == 2) {
                expected.add("samples 333 5x4");   // handed over in the step that completed step 2
            }
        }
        List<String> actual = new ArrayList<>();
        for (EventReader.Event e : EventReader.readDir(run.dir())) {
            if (e.kind().equals("scalar")) {
                actual.add(e.tag() + " " + e.step() + " " + e.value());
            } else if (e.kind().equals("image")) {
                actual.add(e.tag() + " " + e.step() + " " + e.width() + "x" + e.height());
            }
        }
        assertEquals(expected, actual);
        assertTrue(actual.containsAll(List.of("perf/acc 0 0.3", "acc5 666 0.6", "perf/acc 1 0.6", "acc5 1666 1.2")),
                actual.toString());
    }

    @Test
    void resumeGivesExactlyTheUninterruptedParameters() throws IOException {
        int n = 5;
        float[] straight;
        try (TinyRegression t = new TinyRegression(7)) {
            loop(RunDir.create(root, "straight", CONFIG), 2 * n).optCheckpointEvery(n)
                    .build().run(t.manager, t, t::step);
            straight = t.flatParameters();
        }
        RunDir run = RunDir.create(root, "interrupted", CONFIG);
        try (TinyRegression t = new TinyRegression(7)) {
            IllegalStateException crash = assertThrows(IllegalStateException.class, () ->
                    loop(run, 2 * n).optCheckpointEvery(n).build().run(t.manager, t, ctx -> {
                        if (ctx.step() == n + 2) {
                            throw new IllegalStateException("simulated crash");
                        }
                        return t.step(ctx);
                    }));
            assertEquals("simulated crash", crash.getMessage());
        }
        float[] resumed;
        try (TinyRegression t = new TinyRegression(99)) {
            TrainingLoop.Result r = loop(RunDir.open(run.dir()), 2 * n).optCheckpointEvery(n).optResume(true)
                    .build().run(t.manager, t, t::step);
            assertEquals(n, r.startStep());
            resumed = t.flatParameters();
        }
        assertArrayEquals(straight, resumed);
        List<Double> steps = new ArrayList<>();
        MetricsLog.read(run.metrics()).forEach(row -> steps.add(row.get("step")));
        assertEquals(List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0), steps,
                "the log of the steps lost in the crash is replaced, not duplicated");
    }

    @Test
    void nonFiniteLossStopsBeforeSavingAndKeepsTheLastCheckpoint() throws IOException {
        RunDir run = RunDir.create(root, "nan", CONFIG);
        try (TinyRegression t = new TinyRegression(3)) {
            float[][] atFive = new float[1][];
            NonFiniteTrainingException e = assertThrows(NonFiniteTrainingException.class, () ->
                    loop(run, 20).optCheckpointEvery(5).build().run(t.manager, t, ctx -> {
                        StepResult r = t.step(ctx);
                        if (ctx.step() == 4) {
                            atFive[0] = t.flatParameters();
                        }
                        return ctx.step() == 7 ? StepResult.of(Double.NaN, r.samples()) : r;
                    }));
            assertEquals(7, e.step());
            assertEquals("loss", e.quantity());
            assertTrue(Double.isNaN(e.value()));
            assertTrue(e.getMessage().contains("loss is NaN at step index 7"), e.getMessage());
            Path five = run.checkpoints().resolve("step-000000005.safetensors");
            assertEquals(five, e.lastCheckpoint());
            assertTrue(e.getMessage().contains(five.toString()), e.getMessage());
            CheckpointStore store = new CheckpointStore(run.checkpoints(), 2, 0);
            assertEquals(List.of(five), store.stepFiles());
            assertEquals(five, store.last().orElseThrow());
            try (Checkpoint cp = Checkpoint.load(five, t.manager);
                 TinyRegression fresh = new TinyRegression(11)) {
                assertEquals(5, cp.step());
                fresh.restore(cp);
                assertArrayEquals(atFive[0], fresh.flatParameters());
            }
        }
        assertEquals(7.0, MetricsLog.read(run.metrics()).get(6).get("step"));
        assertEquals(7, MetricsLog.read(run.metrics()).size(), "the bad step is not logged");
    }

    @Test
    void aNonFiniteGradientWithAFiniteLossStopsTheRunAndKeepsTheLastCheckpoint() throws IOException {
        RunDir run = RunDir.create(root, "nan-grad", CONFIG);
        try (TinyRegression t = new TinyRegression(3)) {
            NonFiniteTrainingException e = assertThrows(NonFiniteTrainingException.class, () ->
                    loop(run, 20).optCheckpointEvery(5).build().run(t.manager, t, ctx -> {
                        StepResult r = t.step(ctx);
                        ctx.update(new NoOptimizer(t), r.loss(), ctx.step() == 7 ? Double.NaN : 1.0);
                        return r;
                    }));
            assertEquals(7, e.step());
            assertEquals("gradient norm", e.quantity());
            assertTrue(e.getMessage().contains("gradient norm is NaN at step index 7") && e.getMessage().contains(
                    "with a finite loss") && e.getMessage().contains("allow_skipped_updates"), e.getMessage());
            assertEquals(run.checkpoints().resolve("step-000000005.safetensors"), e.lastCheckpoint());
        }
        assertEquals(7, MetricsLog.read(run.metrics()).size(), "the failed step is not logged");
    }

    @Test
    void aNonFiniteEvaluationMetricStopsTheRunNamingStepAndMetric() throws IOException {
        RunDir run = RunDir.create(root, "nan-metric", CONFIG);
        try (TinyRegression t = new TinyRegression(3)) {
            NonFiniteTrainingException e = assertThrows(NonFiniteTrainingException.class, () ->
                    loop(run, 20).optCheckpointEvery(5).optBest("fd", false, step -> TrainingLoop.Score.of(step == 10 ? Double.NaN : 1.0))
                            .build().run(t.manager, t, t::step));
            assertEquals("fd", e.quantity());
            assertEquals(run.checkpoints().resolve("step-000000010.safetensors"), e.lastCheckpoint());
            assertTrue(e.getMessage().contains("fd is NaN at step index 9 (optimiser step 10")
                    && e.getMessage().contains("when evaluating the checkpoint just saved"), e.getMessage());
        }
    }

    @Test
    void allowedSkipsAreCountedInTheMetricsAndTheResult() throws IOException {
        RunDir run = RunDir.create(root, "skips", CONFIG);
        try (TinyRegression t = new TinyRegression(3)) {
            NoOptimizer opt = new NoOptimizer(t);
            TrainingLoop.Result r = loop(run, 12).optLogEvery(4).optAllowSkippedUpdates(true).build()
                    .run(t.manager, t, ctx -> {
                        StepResult s = t.step(ctx);
                        boolean applied = ctx.update(opt, s.loss(), ctx.step() == 2 || ctx.step() == 9
                                ? Double.POSITIVE_INFINITY : 1.0);
                        assertEquals(ctx.step() != 2 && ctx.step() != 9, applied);
                        return s;
                    });
            assertEquals(2, r.skippedUpdates());
            assertEquals(10, opt.steps, "the skipped updates were not applied");
        }
        List<Double> skipped = new ArrayList<>();
        MetricsLog.read(run.metrics()).forEach(row -> skipped.add(row.get("skipped_updates")));
        assertEquals(List.of(1.0, 0.0, 1.0), skipped, "a count per window of 4 steps");
    }

    @Test
    void stepDigestsAreEqualExactlyWhenTheRunsAre() throws IOException {
        Path a = root.resolve("a.txt");
        Path b = root.resolve("b.txt");
        Path c = root.resolve("c.txt");
        digestRun("da", 7, a);
        digestRun("db", 7, b);
        digestRun("dc", 8, c);
        List<String> lines = Files.readAllLines(a);
        assertEquals(6, lines.size());
        assertTrue(lines.get(0).matches("1 [0-9a-f]{64}"), lines.get(0));
        assertEquals(lines, Files.readAllLines(b), "same seed, same digests after every step");
        assertTrue(!Files.readAllLines(c).get(0).equals(lines.get(0)), "another init, another digest");
    }

    private void digestRun(String name, int initSeed, Path digests) throws IOException {
        System.setProperty(TrainingLoop.DIGESTS_PROPERTY, digests.toString());
        try (TinyRegression t = new TinyRegression(initSeed)) {
            loop(RunDir.create(root, name, CONFIG), 6).build().run(t.manager, t, t::step);
        } finally {
            System.clearProperty(TrainingLoop.DIGESTS_PROPERTY);
        }
    }

    @Test
    void gradientAccumulationMatchesOneFullBatch() throws IOException {
        float[] full;
        try (TinyRegression t = new TinyRegression(5)) {
            loop(RunDir.create(root, "full", CONFIG), 6).build().run(t.manager, t, t::step);
            full = t.flatParameters();
        }
        try (TinyRegression t = new TinyRegression(5)) {
            loop(RunDir.create(root, "accumulated", CONFIG), 6).build().run(t.manager, t, ctx -> t.accumulated(ctx, 4));
            assertArrayEquals(full, t.flatParameters(), 1e-6f);
        }
    }

    @Test
    void twoThousandStepsKeepTheModelManagerFlat() throws IOException {
        RunDir run = RunDir.create(root, "memory", CONFIG);
        try (TinyRegression t = new TinyRegression(2)) {
            int before = t.manager.getManagedArrays().size();
            long rssBefore = ProcessMemory.rssKb();
            TrainingLoop.Result r = loop(run, 2000).optLogEvery(100).optCheckpointEvery(500)
                    .build().run(t.manager, t, t::step);
            long rssAfter = ProcessMemory.rssKb();
            assertEquals(before, t.manager.getManagedArrays().size());
            assertEquals(2000, r.endStep());
            assertTrue(r.lastLoss() < 0.05, "the regression should fit, loss " + r.lastLoss());
            LOG.info("2000 tiny steps: VmRSS {} kB -> {} kB", rssBefore, rssAfter);
            try (Checkpoint cp = Checkpoint.load(r.lastCheckpoint(), t.manager)) {
                assertEquals(2000, cp.step());
                assertArrayEquals(t.model.weight().array().toFloatArray(), cp.part("model").get("weight").toFloatArray());
            }
        }
    }

    @Test
    void progressBarRedrawsInPlaceOnATerminalAndRunFoldersResume() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RunDir run = RunDir.openOrCreate(root, "bar", CONFIG, true);
        try (TinyRegression t = new TinyRegression(1)) {
            loop(run, 3).optProgressTerminal(new PrintStream(bytes, true, StandardCharsets.UTF_8)).build()
                    .run(t.manager, t, t::step);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.startsWith("\r[>") || out.startsWith("\r[="), out);
        assertTrue(out.contains("\r[========================] 3/3 loss "), out);
        assertTrue(out.contains(" lr 5.00e-02 ") && out.endsWith(" ETA 0:00:00\n"), out);
        assertEquals(1, out.chars().filter(c -> c == '\n').count(), out);

        RunDir again = RunDir.openOrCreate(root, "bar", "a changed config", true);
        assertEquals(run.dir(), again.dir());
        assertEquals(CONFIG, again.config(), "a resumed run keeps its own config");
        IOException e = assertThrows(IOException.class, () -> RunDir.create(root, "bar", CONFIG));
        assertTrue(e.getMessage().contains("already has checkpoints"), e.getMessage());
    }

}
