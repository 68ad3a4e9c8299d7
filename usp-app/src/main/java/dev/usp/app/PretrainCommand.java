package dev.usp.app;

import dev.usp.core.config.ConfigLoader;
import dev.usp.core.engine.Devices;
import dev.usp.train.pretrain.PretrainConfig;
import dev.usp.train.distributed.Collectives;
import dev.usp.train.pretrain.Pretrainer;
import ai.djl.Device;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code usp pretrain}: USP's masked latent pretraining of a ViT on VAE latents (a latent cache, or images through the frozen VAE). */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
        description = {"Masked latent modeling (MAE on VAE latents) with the official recipe.",
                "lr = blr x effective batch / 256 (effective batch = batch_size x accum_iter), warm-up then cosine.",
                "Input: data.source=cache (a latent cache from 'usp encode') or images (encoded by the frozen VAE vae).",
                "Example: usp pretrain --config configs/fmnist/pretrain.yaml --set data.train=runs/fmnist/latents-train",
                "         usp pretrain --config configs/fmnist/pretrain-images.yaml --set vae=runs/vae-fmnist/vae.safetensors"})
public final class PretrainCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(PretrainCommand.class);

    @Mixin
    private CommonOptions common;

    @Option(names = "--resume", description = "Continue the run named by run.name from its latest checkpoint.")
    private boolean resume;

    @Override
    public Integer call() throws Exception {
        List<Device> devices = common.rankDevices();
        LOG.info(Devices.describe(devices));
        PretrainConfig cfg = ConfigLoader.load(PretrainConfig.class, common.config(), common.overrides());
        Pretrainer.Result r;
        try (Collectives job = common.joinJob()) {
            r = Pretrainer.run(cfg, cfg.seed(), resume, devices, job);
        }
        System.out.printf("pretraining finished: %d steps, last loss %.4f, checkpoint %s%n",
                r.steps(), r.lastLoss(), r.checkpoint());
        return 0;
    }
}
