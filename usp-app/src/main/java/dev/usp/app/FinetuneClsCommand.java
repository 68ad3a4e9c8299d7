package dev.usp.app;

import ai.djl.Device;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.engine.Devices;
import dev.usp.train.cls.ClassifierFinetune;
import dev.usp.train.cls.FinetuneConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import dev.usp.train.distributed.Collectives;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code usp finetune-cls}: fine-tunes a ViT classifier on cached latents from an MAE checkpoint. */
@Command(name = "finetune-cls", mixinStandardHelpOptions = true,
        description = {"Fine-tune a ViT classifier on VAE latent caches (MAE recipe: AdamW, layer-wise lr decay,",
            "mixup/cutmix, label smoothing, drop path, warm-up + cosine); top-1/top-5 on the test cache each epoch.",
            "lr = blr * effective batch / 256 unless optim.lr is set. See configs/*/finetune*.yaml."})
public final class FinetuneClsCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(FinetuneClsCommand.class);

    @Mixin
    private CommonOptions common;

    @Option(names = "--finetune", paramLabel = "CKPT",
            description = "MAE checkpoint (.pth or .safetensors) to start from; overrides the config's finetune.")
    private Path finetune;

    @Option(names = "--resume", description = "Continue the newest checkpoint of run.dir/run.name.")
    private boolean resume;

    @Override
    public Integer call() throws Exception {
        FinetuneConfig config = ConfigLoader.load(FinetuneConfig.class, common.config(), common.overrides());
        if (finetune != null) {
            config = config.withFinetune(finetune);
        }
        List<Device> devices = common.rankDevices();
        LOG.info(Devices.describe(devices));
        try (Collectives job = common.joinJob()) {
            System.out.println(ClassifierFinetune.run(config, config.seed(), devices, job, resume).summary());
        }
        return 0;
    }
}
