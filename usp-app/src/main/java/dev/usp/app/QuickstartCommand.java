package dev.usp.app;

import dev.usp.core.config.ConfigLoader;
import dev.usp.core.engine.Devices;
import dev.usp.app.pipeline.QuickstartConfig;
import dev.usp.app.pipeline.QuickstartRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;

/** {@code usp quickstart}: the whole USP pipeline in miniature on Fashion-MNIST, with a report. */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"USP end to end on Fashion-MNIST: VAE + latent caches, FD-FMNIST net, USP pretraining,",
                "the generator from USP vs random init, linear probe and fine-tune; writes report.md.",
                "Sizes come from configs/fmnist/quickstart.yaml (--quick: quickstart-quick.yaml)."})
final class QuickstartCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(QuickstartCommand.class);

    @Mixin
    private CommonOptions common;

    @Option(names = "--quick", description = "The same path in a few minutes (smoke test; numbers not meaningful).")
    private boolean quick;

    @Option(names = "--data-dir", description = "Fashion-MNIST IDX folder (default /usr/share/datasets/fashion-mnist).")
    private Path dataDir;

    @Option(names = "--out", description = "Run folder (default runs/quickstart-<time>).")
    private Path out;

    @Override
    public Integer call() throws Exception {
        LOG.info(Devices.describe(common.devices()));
        Path config = common.config() != null ? common.config()
                : Path.of("configs/fmnist", quick ? "quickstart-quick.yaml" : "quickstart.yaml");
        QuickstartConfig cfg = ConfigLoader.load(QuickstartConfig.class, config, common.overrides());
        Path run = out != null ? out : Path.of("runs", "quickstart-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        QuickstartRunner.Result r = QuickstartRunner.run(cfg, run, dataDir, cfg.seed(), common.devices().get(0));
        System.out.println(r.summary().text());
        System.out.println("report: " + r.report());
        return 0;
    }
}
