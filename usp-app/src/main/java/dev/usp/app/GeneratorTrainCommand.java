package dev.usp.app;

import dev.usp.core.config.ConfigLoader;
import dev.usp.core.engine.Devices;
import dev.usp.train.dit.GeneratorTrainConfig;
import dev.usp.train.dit.GeneratorTrainer;
import dev.usp.train.distributed.Collectives;
import ai.djl.Device;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** What {@code usp train-dit} and {@code usp train-sit} share: options, start-up log, the run. */
abstract class GeneratorTrainCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(GeneratorTrainCommand.class);

    @Mixin
    private CommonOptions common;

    @Option(names = "--resume", description = "Continue the run folder's newest checkpoint (run.dir/run.name).")
    private boolean resume;

    @Option(names = "--finetune", paramLabel = "FILE",
            description = "USP/MAE pretraining checkpoint to initialise from (overrides finetune in the config).")
    private Path finetune;

    @Option(names = "--use-pretrain-layer", paramLabel = "N", defaultValue = "-2",
            description = "Load only blocks 0..N-1 from the pretraining checkpoint; -1 loads all "
                    + "(default: the config's use_pretrain_layer).")
    private int usePretrainLayer;

    @Option(names = "--allow-partial",
            description = "Accept a --finetune checkpoint that leaves tensors an MAE encoder provides at their init "
                    + "(e.g. fewer blocks than the model); default: the config's allow_partial (false: an error).")
    private boolean allowPartial;

    @Option(names = "--resize-pos-embed",
            description = "Resize the --finetune checkpoint's position table (bicubic) when its grid differs from the "
                    + "model's; default: the config's resize_pos_embed (false: an error naming both grids).")
    private boolean resizePosEmbed;

    /** The objective this command trains: {@code diffusion} or {@code transport}. */
    abstract String objective();

    @Override
    public Integer call() throws Exception {
        GeneratorTrainConfig config = ConfigLoader.load(GeneratorTrainConfig.class, common.config(),
                common.overrides());
        if (finetune != null || usePretrainLayer != -2 || allowPartial || resizePosEmbed) {
            config = config.withFinetune(finetune != null ? finetune : config.finetune(),
                    usePretrainLayer != -2 ? usePretrainLayer : config.usePretrainLayer(),
                    allowPartial || config.allowPartial(), resizePosEmbed || config.resizePosEmbed());
        }
        if (!config.objective().equals(objective())) {
            throw new IllegalArgumentException("model " + config.model() + " trains with objective "
                    + config.objective() + "; this command trains " + objective() + " (use "
                    + (objective().equals("diffusion") ? "train-sit" : "train-dit") + ", or a config such as "
                    + "configs/imagenet/" + (objective().equals("diffusion") ? "dit" : "sit") + "-xl.yaml)");
        }
        List<Device> devices = common.rankDevices();
        LOG.info("{}", Devices.describe(devices));
        LOG.info("config {} (resume {}):\n{}", common.config(), resume,
                ConfigLoader.toYaml(config));
        GeneratorTrainer.Result r;
        try (Collectives job = common.joinJob()) {
            r = GeneratorTrainer.run(config, devices, job, resume, null);
        }
        System.out.println("run " + r.runDir() + ": steps " + r.startStep() + " -> " + r.endStep() + ", last loss "
                + r.lastLoss() + ", checkpoint " + r.lastCheckpoint());
        return 0;
    }
}
