package dev.usp.train.cls;

import dev.usp.core.config.Range;

import java.nio.file.Path;

/**
 * The latent caches a classifier reads.
 *
 * @param trainCache     latent cache of the training split (image and flip moments per image)
 * @param testCache      latent cache of the held-out split, evaluated on posterior means of unflipped images
 * @param numClasses     classifier outputs
 * @param latent         training input: posterior mean (official) or a posterior sample
 * @param evalBatchSize  images per evaluation (and feature pre-computation) batch
 */
public record ClsDataConfig(Path trainCache, Path testCache, @Range(min = 1) int numClasses, LatentInput latent,
                            @Range(min = 1) int evalBatchSize) {

    /** ImageNet-1k caches under {@code data/latents/imagenet-d8/{train,val}}, posterior means, eval batch 256. */
    public static ClsDataConfig defaults() {
        return new ClsDataConfig(Path.of("data/latents/imagenet-d8/train"), Path.of("data/latents/imagenet-d8/val"),
                1000, LatentInput.MEAN, 256);
    }
}
