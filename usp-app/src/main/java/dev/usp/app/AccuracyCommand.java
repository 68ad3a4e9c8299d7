package dev.usp.app;

import ai.djl.ndarray.NDManager;
import dev.usp.train.loop.CheckpointFiles;
import dev.usp.train.cls.ClassifierAccuracy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code usp accuracy}: top-1/top-5 of a classifier checkpoint on a latent cache. */
@Command(name = "accuracy", mixinStandardHelpOptions = true,
        description = {"Top-1/top-5 accuracy and cross-entropy of a `usp finetune-cls` or `usp linprobe` checkpoint"
                + " on a latent cache (posterior means of unflipped images, as the trainers evaluate).",
                "The model and, for a linear probe, the encoder checkpoint come from the config the checkpoint"
                        + " carries."})
final class AccuracyCommand implements Callable<Integer> {

    @Option(names = "--checkpoint", required = true, paramLabel = "PATH",
            description = "A checkpoint file, or a run folder (its newest complete checkpoint).")
    private Path checkpoint;

    @Option(names = "--test-cache", paramLabel = "DIR",
            description = "Latent cache to evaluate. Default: the run's data.val (the Fashion-MNIST test"
                    + " split for the fmnist configs).")
    private Path testCache;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "0",
            description = "Images per batch. Default: the run's eval_batch_size.")
    private int batchSize;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "accuracy.json",
            description = "JSON result file. Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Override
    public Integer call() throws IOException {
        Path file = CheckpointFiles.resolve(checkpoint);
        try (NDManager m = NDManager.newBaseManager()) {
            ClassifierAccuracy a = ClassifierAccuracy.evaluate(file, testCache, batchSize, m);
            System.out.println(a.summary());
            a.writeJson(out);
            System.out.println("written: " + out);
        }
        return 0;
    }
}
