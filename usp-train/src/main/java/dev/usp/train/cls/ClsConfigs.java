package dev.usp.train.cls;

import dev.usp.core.config.DataConfig;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.config.RunConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What fine-tuning and linear probing configs share: their checks, their defaults' caches and their renamed keys. */
final class ClsConfigs {

    private ClsConfigs() {
    }

    /** ImageNet-1k latent caches under {@code data/latents/imagenet-d8/{train,val}}. */
    static DataConfig imagenetCaches() {
        return DataConfig.cache(Path.of("data/latents/imagenet-d8/train"), Path.of("data/latents/imagenet-d8/val"));
    }

    /** Refuses what a classifier trainer does not implement. */
    static void check(String stage, DataConfig data, OptimConfig optim, String optimizer, RunConfig run) {
        data.require(stage, "cache", true);
        optim.require(stage, List.of(optimizer), List.of("cosine"), true, false);
        if (run.checkpointEvery() != 0) {
            throw new IllegalArgumentException(stage + " saves a checkpoint at each evaluation: set eval_every, not "
                    + "run.checkpoint_every");
        }
    }

    /** The keys of the release before the shared {@code data:}/{@code optim:}/{@code run:} blocks. */
    static Map<String, String> renamedKeys() {
        return Map.of("data.train_cache", "data.train", "data.test_cache", "data.val",
                "data.num_classes", "num_classes", "data.latent", "latent", "data.eval_batch_size", "eval_batch_size",
                "optim.epochs", "epochs", "optim.batch_size", "batch_size", "optim.accum_iter", "accum_iter",
                "run.runs_dir", "run.dir", "run.eval_every", "eval_every");
    }
}
