package dev.usp.app;

import ai.djl.Device;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.engine.Devices;
import dev.usp.train.cls.LinearProbe;
import dev.usp.train.cls.LinprobeConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import dev.usp.train.distributed.Collectives;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code usp linprobe}: trains a BatchNorm + Linear head on a frozen MAE encoder. */
@Command(name = "linprobe", mixinStandardHelpOptions = true,
        description = {"Linear probe of a frozen encoder on VAE latent caches (LARS, blr 0.1, wd 0, warm-up + cosine,",
            "BatchNorm1d without affine + Linear head); model.skip_depth probes an intermediate depth.",
            "lr = blr * effective batch / 256 unless optim.lr is set. See configs/*/linprobe*.yaml."})
public final class LinprobeCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(LinprobeCommand.class);

    @Mixin
    private CommonOptions common;

    @Option(names = "--finetune", paramLabel = "CKPT",
            description = "MAE checkpoint (.pth or .safetensors) whose encoder is probed; "
                    + "overrides the config's finetune.")
    private Path finetune;

    @Option(names = "--resume", description = "Continue the newest checkpoint of run.dir/run.name.")
    private boolean resume;

    @Override
    public Integer call() throws Exception {
        LinprobeConfig config = ConfigLoader.load(LinprobeConfig.class, common.config(), common.overrides());
        if (finetune != null) {
            config = config.withFinetune(finetune);
        }
        List<Device> devices = common.rankDevices();
        LOG.info(Devices.describe(devices));
        try (Collectives job = common.joinJob()) {
            System.out.println(LinearProbe.run(config, config.seed(), devices, job, resume).summary());
        }
        return 0;
    }
}
