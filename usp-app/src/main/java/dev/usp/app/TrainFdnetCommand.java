package dev.usp.app;

import ai.djl.Device;
import dev.usp.core.config.ConfigLoader;
import dev.usp.eval.fdnet.FdNetConfig;
import dev.usp.train.fdnet.FdNetTrainer;
import dev.usp.eval.fdnet.FdNetWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code usp train-fdnet}: trains the Fashion-MNIST feature net behind FD-FMNIST and IS-FMNIST. */
@Command(name = "train-fdnet", mixinStandardHelpOptions = true,
        description = {"Train the small Fashion-MNIST CNN whose features define FD-FMNIST and IS-FMNIST"
                + " (the stand-ins for FID/IS on the embedded default), and report its test accuracy.",
                "Writes OUT/" + FdNetWeights.FILE + ", its .json sidecar, metrics.jsonl, loss.png and checkpoints/."})
final class TrainFdnetCommand implements Callable<Integer> {

    @Mixin
    private CommonOptions common;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Folder with the Fashion-MNIST IDX files. Default: /usr/share/datasets/fashion-mnist.")
    private Path dataDir;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/fdnet",
            description = "Run folder to create (must not hold checkpoints). Default: ${DEFAULT-VALUE}.")
    private Path out;

    @Option(names = "--epochs", paramLabel = "N", description = "Training epochs (config key epochs; default 4).")
    private Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per step (config key batch_size; default 128).")
    private Integer batchSize;

    @Override
    public Integer call() throws IOException {
        List<String> overrides = new ArrayList<>(common.overrides());
        if (epochs != null) {
            overrides.add("epochs=" + epochs);
        }
        if (batchSize != null) {
            overrides.add("batch_size=" + batchSize);
        }
        FdNetConfig cfg = ConfigLoader.load(FdNetConfig.class, common.config(), overrides);
        List<Device> devices = common.devices();
        if (devices.size() != 1) {
            throw new IllegalArgumentException("train-fdnet runs on one device, got --device " + common.deviceSpec());
        }
        FdNetWeights.Card card = FdNetTrainer.trainAndSave(cfg, dataDir, cfg.seed(), devices.get(0), out);
        System.out.printf(Locale.ROOT, "test accuracy %.4f on %d Fashion-MNIST test images (%d epochs, %d steps,"
                        + " %.1f s of training, seed %d)%n", card.testAccuracy(), card.testImages(), card.epochs(),
                card.steps(), card.trainSeconds(), card.seed());
        System.out.println("weights: " + out.resolve(FdNetWeights.FILE));
        return 0;
    }
}
