package dev.usp.app;

import ai.djl.ndarray.NDManager;
import dev.usp.train.loop.CheckpointFiles;
import dev.usp.train.cls.FrozenEncoder;
import dev.usp.eval.knn.KnnReport;
import dev.usp.eval.knn.WeightedKnn;
import dev.usp.eval.metrics.FeatureMatrix;
import dev.usp.models.vit.GlobalPool;
import dev.usp.train.loop.Checkpoint;
import dev.usp.vae.cache.LatentCache;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code usp knn}: weighted kNN accuracy (DINO) of a checkpoint's frozen encoder features. */
@Command(name = "knn", mixinStandardHelpOptions = true,
        description = {"Weighted kNN accuracy of frozen ViT encoder features, as DINO: cosine similarity, the k most"
                + " similar training images vote for their class with weight exp(sim / T).",
                "Memory bank: the training cache; queries: the test cache (posterior means of unflipped images).",
                "Encoder: a `usp pretrain` checkpoint (MAE encoder, --pool) or a finetune-cls/linprobe checkpoint"
                        + " (its own pooling)."})
final class KnnCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, paramLabel = "PATH",
            description = "A checkpoint file, or a run folder (its newest complete checkpoint).")
    private Path checkpoint;

    @Option(names = "--train-cache", paramLabel = "DIR",
            description = "Latent cache of the memory bank. Default: the run's training cache.")
    private Path trainCache;

    @Option(names = "--test-cache", paramLabel = "DIR",
            description = "Latent cache of the queries. Default: a classifier run's test cache (needed for a"
                    + " pretraining checkpoint).")
    private Path testCache;

    @Option(names = "--pool", paramLabel = "MODE", defaultValue = "token",
            description = "Pooling of a pretraining checkpoint's encoder: token (cls token after the final norm)"
                    + " or avg (patch mean, fc_norm at its init). Default: ${DEFAULT-VALUE}.")
    private String pool;

    @Option(names = "--k", paramLabel = "K", defaultValue = "" + WeightedKnn.DINO_K,
            description = "Neighbours. Default: ${DEFAULT-VALUE}.")
    private int k;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "" + WeightedKnn.DINO_T,
            description = "Vote temperature. Default: ${DEFAULT-VALUE}.")
    private double temperature;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256",
            description = "Images per encoder batch. Default: ${DEFAULT-VALUE}.")
    private int batchSize;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "knn.json",
            description = "JSON result file. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Override
    public Integer call() throws IOException {
        if (k <= 0 || temperature <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("--k, --temperature and --batch-size must be positive, got " + k + ", "
                    + temperature + ", " + batchSize);
        }
        GlobalPool poolMode = switch (pool.toLowerCase(Locale.ROOT)) {
            case "token" -> GlobalPool.TOKEN;
            case "avg" -> GlobalPool.AVG;
            default -> throw new IllegalArgumentException("--pool must be token or avg, got '" + pool + "'");
        };
        Path file = CheckpointFiles.resolve(checkpoint);
        try (NDManager m = NDManager.newBaseManager(); Checkpoint cp = Checkpoint.load(file, m)) {
            Path[] run = FrozenEncoder.runCaches(cp, file);
            Path trainDir = trainCache != null ? trainCache : require(run[0], "--train-cache");
            Path testDir = testCache != null ? testCache : require(run[1], "--test-cache");
            try (LatentCache train = LatentCache.open(trainDir, m); LatentCache test = LatentCache.open(testDir, m)) {
                FrozenEncoder enc = FrozenEncoder.load(cp, file, train, poolMode, m);
                FeatureMatrix bank = enc.features(train, batchSize);
                FeatureMatrix queries = enc.features(test, batchSize);
                long[] trainLabels = FrozenEncoder.labels(train);
                long[] testLabels = FrozenEncoder.labels(test);
                int classes = (int) Math.max(Arrays.stream(trainLabels).max().orElse(0),
                        Arrays.stream(testLabels).max().orElse(0)) + 1;
                WeightedKnn.Result r = WeightedKnn.evaluate(bank, trainLabels, queries, testLabels, classes, k,
                        temperature);
                KnnReport report = new KnnReport(enc.source(), trainDir.toString(), testDir.toString(), bank.rows(),
                        bank.dim(), classes, r);
                System.out.println(report.summary());
                report.writeJson(out);
                System.out.println("written: " + out);
            }
        }
        return 0;
    }

    private static Path require(Path p, String option) {
        if (p == null) {
            throw new IllegalArgumentException("the checkpoint's run config names no cache for " + option + "; pass "
                    + option + " DIR");
        }
        return p;
    }
}
