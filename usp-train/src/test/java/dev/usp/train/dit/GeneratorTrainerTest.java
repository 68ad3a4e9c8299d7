package dev.usp.train.dit;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.usp.core.config.RunConfig;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.train.loop.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorTrainerTest {

    private static final List<Device> CPU = List.of(Device.cpu());

    @TempDir
    static Path shared;
    static Path cache;

    @BeforeAll
    static void writeCache() throws IOException {
        // Two cores shared by many JVMs: OpenMP barriers of multi-threaded tiny ops spin for ms each.
        Engine.getInstance();
        JniUtils.setNumThreads(1);
        cache = TinyLatents.write(shared.resolve("latents"));
    }

    @Test
    void diffusionLossFalls(@TempDir Path runs) throws IOException {
        assertLossFalls(TinyLatents.config(cache, runs, "DiT-T/2", 30, 1e-3), 0.7);
    }

    @Test
    void transportLossFalls(@TempDir Path runs) throws IOException {
        // the velocity target x1 - x0 is far from determined by x_t at small t: the floor is high
        assertLossFalls(TinyLatents.config(cache, runs, "SiT-T/2", 30, 1e-3), 0.9);
    }

    private static void assertLossFalls(GeneratorTrainConfig config, double ratio) throws IOException {
        GeneratorTrainer.Result r = GeneratorTrainer.run(config, CPU, false, null);
        assertEquals(30, r.endStep());
        List<Double> losses = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(r.runDir().resolve("metrics.jsonl"))) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            if (o.has("loss")) {
                losses.add(o.get("loss").getAsDouble());
            }
        }
        assertEquals(30, losses.size());
        double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = losses.subList(25, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        assertTrue(last < ratio * first, "the mean loss of the last five steps should be below " + ratio
                + " x that of the first five: first " + first + ", last " + last);
    }

    @Test
    void resumeGivesTheParametersOfAnUninterruptedRun(@TempDir Path runs) throws IOException {
        GeneratorTrainConfig whole = TinyLatents.config(cache, runs.resolve("whole"), "SiT-T/2", 6, 1e-3);
        GeneratorTrainConfig half = TinyLatents.config(cache, runs.resolve("split"), "SiT-T/2", 3, 1e-3);
        GeneratorTrainConfig rest = TinyLatents.config(cache, runs.resolve("split"), "SiT-T/2", 6, 1e-3);
        Path a = GeneratorTrainer.run(whole, CPU, false, null).lastCheckpoint();
        GeneratorTrainer.run(half, CPU, false, null);
        GeneratorTrainer.Result b = GeneratorTrainer.run(rest, CPU, true, null);
        assertEquals(3, b.startStep());
        try (NDManager m = NDManager.newBaseManager();
             Checkpoint ca = Checkpoint.load(a, m);
             Checkpoint cb = Checkpoint.load(b.lastCheckpoint(), m)) {
            assertEquals(6, cb.step());
            for (String part : List.of("model", "ema", "optimizer")) {
                StateDict sa = ca.part(part);
                StateDict sb = cb.part(part);
                assertEquals(sa.keys(), sb.keys(), part);
                for (String k : sa.keys()) {
                    assertArrayEquals(sa.get(k).toFloatArray(), sb.get(k).toFloatArray(), part + "." + k);
                }
            }
            assertTrue(differs(ca.part("model"), ca.part("ema")), "EMA must lag the model after 6 steps");
        }
    }

    @Test
    void twoReplicasTrainAsOne(@TempDir Path runs) throws IOException {
        // label dropout 0: it is the one random draw made on the replicas' threads
        Path[] last = new Path[2];
        for (int replicas = 1; replicas <= 2; replicas++) {
            GeneratorTrainConfig c = TinyLatents.config(cache, runs.resolve("r" + replicas), "DiT-T/2", 2, 1e-3);
            c = new GeneratorTrainConfig(c.model(), c.objective(), c.numClasses(), c.latentSize(), c.latentChannels(),
                    0.0, c.data(), c.batchSize(), c.steps(), c.optim(), c.emaDecay(), c.respacing(), null, -1, false,
                    false, 0, 4, 5, null, "sd", new RunConfig(c.run().dir(), "run", 1, 0, 2, false), 11);
            List<Device> devices = replicas == 1 ? CPU : List.of(Device.cpu(), Device.cpu());
            last[replicas - 1] = GeneratorTrainer.run(c, devices, false, null).lastCheckpoint();
        }
        try (NDManager m = NDManager.newBaseManager();
             Checkpoint one = Checkpoint.load(last[0], m);
             Checkpoint two = Checkpoint.load(last[1], m)) {
            for (String k : one.part("model").keys()) {
                assertArrayEquals(one.part("model").get(k).toFloatArray(), two.part("model").get(k).toFloatArray(),
                        1e-5f, k);
            }
        }
    }

    @Test
    void theEvaluatorScoresTheEmaAtEveryCheckpoint(@TempDir Path runs) throws IOException {
        GeneratorTrainConfig base = TinyLatents.config(cache, runs, "DiT-T/2", 2, 1e-3);
        GeneratorTrainConfig config = new GeneratorTrainConfig(base.model(), base.objective(), base.numClasses(),
                base.latentSize(), base.latentChannels(), base.classDropout(), base.data(), base.batchSize(),
                base.steps(), base.optim(), base.emaDecay(), base.respacing(), null, -1, false, false, 0, 4, 5, null,
                "sd", new RunConfig(runs, "run", 1, 1, 2, false), 11);
        List<Long> steps = new java.util.ArrayList<>();
        GeneratorTrainer.Evaluation eval = new GeneratorTrainer.Evaluation("fake_fid", false, (step, ema) -> {
            assertTrue(!ema.isTraining(), "the EMA is evaluated in eval mode");
            steps.add(step);
            return 10.0 / step;
        });
        GeneratorTrainer.run(config, CPU, false, eval);
        assertEquals(List.of(1L, 2L), steps);
        String metrics = Files.readString(runs.resolve("run").resolve("metrics.jsonl"));
        assertTrue(metrics.contains("\"fake_fid\":5.0"), metrics);
    }

    @Test
    void finetuneLoadsTheMaeEncoderIntoModelAndEma(@TempDir Path dir) throws IOException {
        Path mae = dir.resolve("mae.safetensors");
        Map<String, float[]> source = writeFakeMae(mae, 2);
        GeneratorTrainConfig config = TinyLatents.config(cache, dir.resolve("runs"), "DiT-T/2-VAE-simple", 1, 0.0)
                .withFinetune(mae, -1);
        GeneratorTrainer.Result r = GeneratorTrainer.run(config, CPU, false, null);
        // only DiT's own parts stay at init: embedders of t and y, adaLN, the final layer
        assertEquals(List.of(), r.transfer().missing().stream().filter(k -> !k.startsWith("t_embedder.")
                && !k.startsWith("y_embedder.") && !k.startsWith("final_layer.") && !k.contains(".adaLN_modulation."))
                .toList());
        assertEquals(21, r.transfer().missing().size());
        assertTrue(r.transfer().loaded().contains("blocks.3.attn.qkv.weight"));
        assertTrue(r.transfer().unexpected().contains("decoder_pred.weight"));
        try (NDManager m = NDManager.newBaseManager(); Checkpoint cp = Checkpoint.load(r.lastCheckpoint(), m)) {
            for (String part : List.of("model", "ema")) {
                for (String k : List.of("blocks.3.attn.qkv.weight", "blocks.0.norm1.weight", "x_embedder.proj.weight")) {
                    String from = k.replace("x_embedder.", "patch_embed.");
                    // lr 0 keeps the model exact; the EMA's one update 0.99 w + 0.01 w rounds to 1 ulp
                    assertArrayEquals(source.get(from), cp.part(part).get(k).toFloatArray(),
                            part.equals("model") ? 0f : 1e-6f, part + "." + k);
                }
                float[] pos = cp.part(part).get("pos_embed").toFloatArray();
                float[] expected = java.util.Arrays.copyOfRange(source.get("pos_embed"), 192, 5 * 192);
                assertArrayEquals(expected, pos, 1e-6f, part + ".pos_embed without the cls row");
            }
        }
    }

    @Test
    void finetuneFromAVaeIsRefusedBeforeTraining(@TempDir Path dir) throws IOException {
        Path vae = dir.resolve("vae.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            SafeTensors.write(vae, Map.of("encoder.conv_in.weight", m.zeros(new ai.djl.ndarray.types.Shape(8, 3, 3, 3)),
                    "decoder.conv_out.weight", m.zeros(new ai.djl.ndarray.types.Shape(3, 8, 3, 3))), Map.of());
        }
        GeneratorTrainConfig config = TinyLatents.config(cache, dir.resolve("runs"), "DiT-T/2-VAE-simple", 1, 0.0)
                .withFinetune(vae, -1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GeneratorTrainer.run(config, CPU, false, null));
        assertTrue(e.getMessage().startsWith("finetune: nothing of " + vae + " fits the DiT"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("runs")), "no run folder for a refused transfer");
    }

    @Test
    void positionGridOfAnotherSizeIsResizedOnlyWhenAskedFor(@TempDir Path dir) throws IOException {
        Path mae = dir.resolve("mae.safetensors");
        writeFakeMae(mae, 4);
        GeneratorTrainConfig refused = TinyLatents.config(cache, dir.resolve("runs"), "DiT-T/2-VAE-simple", 1, 0.0)
                .withFinetune(mae, -1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GeneratorTrainer.run(refused, CPU, false, null));
        assertTrue(e.getMessage().contains("holds a 4x4 grid but the DiT's holds 2x2")
                && e.getMessage().contains("resize_pos_embed"), e.getMessage());
        GeneratorTrainer.Result r = GeneratorTrainer.run(refused.withFinetune(mae, -1, false, true), CPU, false, null);
        assertEquals(List.of("pos_embed (4x4 -> 2x2 grid, bicubic)"), r.transfer().resized());
    }

    /** An MAE state dict with a T-sized encoder (192 wide, 6 blocks, grid x grid patches of 2) and a decoder head. */
    private static Map<String, float[]> writeFakeMae(Path file, int grid) throws IOException {
        Map<String, float[]> values = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            java.util.function.BiConsumer<String, ai.djl.ndarray.types.Shape> add = (name, shape) -> {
                NDArray a = m.randomNormal(shape);
                tensors.put(name, a);
                values.put(name, a.toFloatArray());
            };
            add.accept("patch_embed.proj.weight", new ai.djl.ndarray.types.Shape(192, 4, 2, 2));
            add.accept("patch_embed.proj.bias", new ai.djl.ndarray.types.Shape(192));
            add.accept("pos_embed", new ai.djl.ndarray.types.Shape(1, 1 + grid * grid, 192));
            add.accept("cls_token", new ai.djl.ndarray.types.Shape(1, 1, 192));
            for (int i = 0; i < 6; i++) {
                String b = "blocks." + i + ".";
                add.accept(b + "norm1.weight", new ai.djl.ndarray.types.Shape(192));
                add.accept(b + "norm1.bias", new ai.djl.ndarray.types.Shape(192));
                add.accept(b + "attn.qkv.weight", new ai.djl.ndarray.types.Shape(576, 192));
                add.accept(b + "attn.qkv.bias", new ai.djl.ndarray.types.Shape(576));
                add.accept(b + "attn.proj.weight", new ai.djl.ndarray.types.Shape(192, 192));
                add.accept(b + "attn.proj.bias", new ai.djl.ndarray.types.Shape(192));
                add.accept(b + "norm2.weight", new ai.djl.ndarray.types.Shape(192));
                add.accept(b + "norm2.bias", new ai.djl.ndarray.types.Shape(192));
                add.accept(b + "mlp.fc1.weight", new ai.djl.ndarray.types.Shape(768, 192));
                add.accept(b + "mlp.fc1.bias", new ai.djl.ndarray.types.Shape(768));
                add.accept(b + "mlp.fc2.weight", new ai.djl.ndarray.types.Shape(192, 768));
                add.accept(b + "mlp.fc2.bias", new ai.djl.ndarray.types.Shape(192));
            }
            add.accept("decoder_pred.weight", new ai.djl.ndarray.types.Shape(16, 128));
            Map<String, NDArray> prefixed = new LinkedHashMap<>();
            tensors.forEach((k, v) -> prefixed.put("model." + k, v));
            SafeTensors.write(file, prefixed, Map.of());
        }
        return values;
    }

    private static boolean differs(StateDict a, StateDict b) {
        for (String k : a.keys()) {
            if (!java.util.Arrays.equals(a.get(k).toFloatArray(), b.get(k).toFloatArray())) {
                return true;
            }
        }
        return false;
    }
}
