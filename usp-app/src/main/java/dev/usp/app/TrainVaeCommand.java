package dev.usp.app;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.usp.core.config.ConfigLoader;
import dev.usp.train.vae.VaeTrainConfig;
import dev.usp.train.vae.VaeTrainer;
import dev.usp.vae.weights.VaeFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code usp train-vae}: trains the small KL autoencoder of the Fashion-MNIST quickstart. */
@Command(name = "train-vae", mixinStandardHelpOptions = true,
        description = "Train a small KL autoencoder on Fashion-MNIST padded to 32x32 (config: "
                + "configs/fmnist/vae.yaml); writes vae.safetensors + vae.json, reconstructions.png, loss.png "
                + "and the test PSNR into the run folder.")
public final class TrainVaeCommand implements Callable<Integer> {

    @Mixin
    private CommonOptions common;

    @Option(names = "--resume", description = "Continue the run folder's newest checkpoint.")
    private boolean resume;

    @Option(names = "--max-minutes", paramLabel = "MIN",
            description = "Time budget for the training steps (overrides max_minutes); a checkpoint is kept.")
    private Double maxMinutes;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Fashion-MNIST IDX folder (overrides data.dir).")
    private Path dataDir;

    @Option(names = "--run-name", paramLabel = "NAME",
            description = "Run folder name under run.dir (overrides run.name).")
    private String runName;

    @Override
    public Integer call() throws IOException {
        List<String> sets = new ArrayList<>(common.overrides());
        if (maxMinutes != null) {
            sets.add("max_minutes=" + maxMinutes);
        }
        if (dataDir != null) {
            sets.add("data.dir=" + dataDir);
        }
        if (runName != null) {
            sets.add("run.name=" + runName);
        }
        VaeTrainConfig config = ConfigLoader.load(VaeTrainConfig.class, common.config(), sets);
        List<Device> devices = common.devices();
        try (NDManager manager = NDManager.newBaseManager(devices.get(0))) {
            VaeTrainer.Result r = new VaeTrainer(config, config.seed(), System.console() != null ? System.err : null)
                    .train(manager, resume);
            System.out.printf(Locale.ROOT, "run %s: steps %d..%d in %.1f s, last loss %.5f, test PSNR %.2f dB,"
                            + " scale factor %.5f; VAE in %s%n", r.run().dir(), r.startStep(), r.endStep(),
                    r.trainSeconds(), r.lastLoss(), r.testPsnr(), r.scaleFactor(), r.run().file(VaeFiles.WEIGHTS));
            if (r.stoppedByBudget()) {
                System.out.printf(Locale.ROOT, "the time budget (max_minutes %s) cut the run at step %d of %d: its "
                        + "numbers depend on this machine's speed%n", config.maxMinutes(), r.endStep(), config.steps());
            }
            if (r.skippedUpdates() > 0) {
                System.out.printf(Locale.ROOT, "%d updates were skipped on non-finite gradients "
                        + "(allow_skipped_updates)%n", r.skippedUpdates());
            }
        }
        return 0;
    }
}
