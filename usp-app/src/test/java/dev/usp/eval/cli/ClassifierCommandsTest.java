package dev.usp.eval.cli;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.usp.core.weights.StateDict;
import dev.usp.eval.knn.WeightedKnn;
import dev.usp.eval.metrics.FeatureMatrix;
import dev.usp.models.mae.MaeModels;
import dev.usp.models.mae.MaeOptions;
import dev.usp.models.mae.MaskedAutoencoder;
import dev.usp.models.transfer.MaeTransfer;
import dev.usp.models.transfer.TransferOptions;
import dev.usp.models.vit.GlobalPool;
import dev.usp.models.vit.VisionTransformer;
import dev.usp.train.cls.FinetuneConfig;
import dev.usp.train.cls.LinprobeConfig;
import dev.usp.train.loop.Checkpoint;
import dev.usp.train.pretrain.PretrainConfig;
import dev.usp.vae.cache.LatentCache;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code usp accuracy} and {@code usp knn} on tiny caches and vit_mini checkpoints written as the
 * trainers write them; expected numbers come from the saved models run directly in the test.
 */
class ClassifierCommandsTest {

    static final int CLASSES = 3;

    @TempDir
    static Path tmp;
    static Path train;
    static Path test;

    @BeforeAll
    static void caches() throws Exception {
        train = TinyClassifierRuns.cache(tmp.resolve("train"), 36, CLASSES, 4, 1);
        test = TinyClassifierRuns.cache(tmp.resolve("test"), 21, CLASSES, 4, 2);
    }

    /** Top-1, top-5 (percent) of a model's logits on a cache, counted by hand from argmax and ranks. */
    private static double[] handAccuracy(VisionTransformer model, Path cacheDir, NDManager m) throws Exception {
        try (LatentCache c = LatentCache.open(cacheDir, m)) {
            model.eval();
            int n = c.size();
            float[] logits = model.forward(c.meanLatents(IntStream.range(0, n).toArray(), m)).toFloatArray();
            int k = logits.length / n;
            int top1 = 0;
            int top5 = 0;
            for (int i = 0; i < n; i++) {
                int label = c.label(i);
                int rank = 0;
                for (int j = 0; j < k; j++) {
                    rank += logits[i * k + j] > logits[i * k + label] ? 1 : 0;
                }
                top1 += rank == 0 ? 1 : 0;
                top5 += rank < 5 ? 1 : 0;
            }
            return new double[] {100.0 * top1 / n, 100.0 * top5 / n};
        }
    }

    private static FeatureMatrix features(VisionTransformer model, Path cacheDir, NDManager m) throws Exception {
        try (LatentCache c = LatentCache.open(cacheDir, m)) {
            model.eval();
            int n = c.size();
            float[] f = model.forwardFeatures(c.meanLatents(IntStream.range(0, n).toArray(), m)).toFloatArray();
            return new FeatureMatrix(n, f.length / n, f);
        }
    }

    private static long[] labels(Path cacheDir, NDManager m) throws Exception {
        try (LatentCache c = LatentCache.open(cacheDir, m)) {
            return IntStream.range(0, c.size()).mapToLong(c::label).toArray();
        }
    }

    private static Path finetuneCheckpoint(NDManager m) throws Exception {
        Path file = tmp.resolve("finetune.safetensors");
        if (!file.toFile().exists()) {
            VisionTransformer model = TinyClassifierRuns.classifier(CLASSES, GlobalPool.AVG, false, 5, m);
            TinyClassifierRuns.randomise(model, "head.", 17);
            String cfg = TinyClassifierRuns.configYaml(FinetuneConfig.class, "model.name=" + TinyClassifierRuns.VIT,
                    "num_classes=" + CLASSES, "data.train=" + train, "data.val=" + test);
            new Checkpoint(12, 3, 5, cfg, Map.of("model", model.stateDict()), Map.of()).write(file);
        }
        return file;
    }

    @Test
    void accuracyOfAFinetuneCheckpointOnTheRunsTestCache() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Path ckpt = finetuneCheckpoint(m);
            Path json = tmp.resolve("acc-ft.json");
            CliRun r = CliRun.run("accuracy", "--checkpoint", ckpt.toString(), "--out", json.toString());
            assertEquals(0, r.rc(), r.toString());
            JsonObject got = CliRun.json(json);
            try (Checkpoint cp = Checkpoint.load(ckpt, m)) {
                VisionTransformer same = TinyClassifierRuns.classifier(CLASSES, GlobalPool.AVG, false, 99, m);
                same.loadStateDict(cp.part("model"), true);
                double[] want = handAccuracy(same, test, m);
                assertEquals(want[0], got.get("top1").getAsDouble(), 1e-9);
                assertEquals(want[1], got.get("top5").getAsDouble(), 1e-9);
            }
            assertEquals(21, got.get("images").getAsLong());
            assertEquals("FINETUNE", got.get("kind").getAsString());
            assertEquals(12, got.get("step").getAsLong());
            assertTrue(r.out().contains("top-1 ") && r.out().contains("written: "), r.out());
            // on the training cache instead: other numbers, same procedure
            CliRun onTrain = CliRun.run("accuracy", "--checkpoint", ckpt.toString(), "--test-cache", train.toString(),
                    "--out", tmp.resolve("acc-ft-train.json").toString());
            assertEquals(0, onTrain.rc(), onTrain.toString());
            assertEquals(36, CliRun.json(tmp.resolve("acc-ft-train.json")).get("images").getAsLong());
        }
    }

    @Test
    void accuracyOfALinearProbeRebuildsTheSeededEncoderAndLoadsTheHead() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            VisionTransformer probe = TinyClassifierRuns.classifier(CLASSES, GlobalPool.TOKEN, true, 8, m);
            TinyClassifierRuns.randomise(probe, "head.1.", 3);
            String cfg = TinyClassifierRuns.configYaml(LinprobeConfig.class, "model.name=" + TinyClassifierRuns.VIT,
                    "num_classes=" + CLASSES, "data.train=" + train, "data.val=" + test);
            StateDict head = probe.stateDict().filter(k -> k.startsWith("head."));
            Path ckpt = tmp.resolve("probe.safetensors");
            new Checkpoint(4, 1, 8, cfg, Map.of("head", head), Map.of()).write(ckpt);
            Path json = tmp.resolve("acc-lp.json");
            CliRun r = CliRun.run("accuracy", "--checkpoint", ckpt.toString(), "--out", json.toString());
            assertEquals(0, r.rc(), r.toString());
            double[] want = handAccuracy(probe, test, m);
            JsonObject got = CliRun.json(json);
            assertEquals(want[0], got.get("top1").getAsDouble(), 1e-9);
            assertEquals(want[1], got.get("top5").getAsDouble(), 1e-9);
            assertEquals("LINPROBE", got.get("kind").getAsString());
        }
    }

    @Test
    void knnOfAFinetuneCheckpointEqualsWeightedKnnOfItsFeatures() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Path ckpt = finetuneCheckpoint(m);
            Path json = tmp.resolve("knn-ft.json");
            CliRun r = CliRun.run("knn", "--checkpoint", ckpt.toString(), "--k", "5", "--out", json.toString());
            assertEquals(0, r.rc(), r.toString());
            try (Checkpoint cp = Checkpoint.load(ckpt, m)) {
                VisionTransformer same = TinyClassifierRuns.classifier(CLASSES, GlobalPool.AVG, false, 99, m);
                same.loadStateDict(cp.part("model"), true);
                WeightedKnn.Result want = WeightedKnn.evaluate(features(same, train, m), labels(train, m),
                        features(same, test, m), labels(test, m), CLASSES, 5, WeightedKnn.DINO_T);
                JsonObject got = CliRun.json(json).getAsJsonObject("result");
                assertEquals(want.top1(), got.get("top1").getAsDouble(), 1e-9);
                assertEquals(want.top5(), got.get("top5").getAsDouble(), 1e-9);
                assertEquals(5, got.get("k").getAsInt());
            }
            assertTrue(r.out().contains("kNN top-1 "), r.out());
        }
    }

    @Test
    void knnOfAPretrainingCheckpointUsesTheMaeEncoder() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedAutoencoder mae = MaeModels.create("vit_mini_patch_vae", new MaeOptions(4, 4, 2, true, false, 0.75), m);
            String cfg = TinyClassifierRuns.configYaml(PretrainConfig.class, "model=vit_mini_patch_vae", "latent_size=4",
                    "latent_channels=4", "patch_size=2", "data.train=" + train);
            Path ckpt = tmp.resolve("pretrain.safetensors");
            new Checkpoint(9, 1, 3, cfg, Map.of("model", mae.stateDict()), Map.of()).write(ckpt);
            Path json = tmp.resolve("knn-mae.json");
            CliRun r = CliRun.run("knn", "--checkpoint", ckpt.toString(), "--test-cache", test.toString(),
                    "--out", json.toString());
            assertEquals(0, r.rc(), r.toString());
            VisionTransformer enc = TinyClassifierRuns.classifier(1, GlobalPool.TOKEN, false, 0, m);
            MaeTransfer.toClassifier(mae.stateDict(), enc, TransferOptions.defaults());
            WeightedKnn.Result want = WeightedKnn.evaluate(features(enc, train, m), labels(train, m),
                    features(enc, test, m), labels(test, m), CLASSES);
            JsonObject got = CliRun.json(json);
            assertEquals(want.top1(), got.getAsJsonObject("result").get("top1").getAsDouble(), 1e-9);
            assertEquals(want.top5(), got.getAsJsonObject("result").get("top5").getAsDouble(), 1e-9);
            assertEquals(128, got.get("featureDim").getAsInt());
            assertTrue(got.get("encoder").getAsString().contains("pretraining checkpoint"), got.toString());

            // a pretraining checkpoint is no classifier; and kNN needs a test cache it cannot name
            CliRun acc = CliRun.run("accuracy", "--checkpoint", ckpt.toString(), "--out", tmp.resolve("x.json").toString());
            assertEquals(1, acc.rc());
            assertTrue(acc.err().contains(ckpt.toString()) && acc.err().contains("FinetuneConfig"), acc.err());
            CliRun noTest = CliRun.run("knn", "--checkpoint", ckpt.toString(), "--out", tmp.resolve("y.json").toString());
            assertEquals(1, noTest.rc());
            assertTrue(noTest.err().contains("--test-cache"), noTest.err());
        }
    }

    @Test
    void badInputsFailWithMessagesNamingThem() throws Exception {
        Path missing = tmp.resolve("no-such.safetensors");
        CliRun r = CliRun.run("accuracy", "--checkpoint", missing.toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains(missing.toString()), r.err());
        r = CliRun.run("knn", "--checkpoint", tmp.resolve("empty-run").toFile().getPath());
        assertEquals(1, r.rc());
        try (NDManager m = NDManager.newBaseManager()) {
            Path ckpt = finetuneCheckpoint(m);
            // latents of another side: the model's pos_embed cannot take the saved one
            Path wide = TinyClassifierRuns.cache(tmp.resolve("wide"), 6, CLASSES, 8, 3);
            r = CliRun.run("accuracy", "--checkpoint", ckpt.toString(), "--test-cache", wide.toString(),
                    "--out", tmp.resolve("z.json").toString());
            assertEquals(1, r.rc());
            assertTrue(r.err().contains("pos_embed"), r.err());
            Path notACache = tmp.resolve("not-a-cache");
            r = CliRun.run("knn", "--checkpoint", ckpt.toString(), "--test-cache", notACache.toString());
            assertEquals(1, r.rc());
            assertTrue(r.err().contains(notACache.toString()), r.err());
        }
    }
}
