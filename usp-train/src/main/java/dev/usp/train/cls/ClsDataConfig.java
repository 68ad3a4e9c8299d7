package dev.usp.train.cls;

import java.nio.file.Path;

/**
 * The latent caches a classifier reads, as the trainers, checkpoints and evaluation take them:
 * {@link FinetuneConfig#classifierData()} and {@link LinprobeConfig#classifierData()} build it from
 * the YAML's {@code data.train}, {@code data.val}, {@code num_classes}, {@code latent} and
 * {@code eval_batch_size}.
 *
 * @param trainCache     latent cache of the training split (image and flip moments per image)
 * @param testCache      latent cache of the held-out split, evaluated on posterior means of unflipped images
 * @param numClasses     classifier outputs
 * @param latent         training input: posterior mean (official) or a posterior sample
 * @param evalBatchSize  images per evaluation (and feature pre-computation) batch
 */
public record ClsDataConfig(Path trainCache, Path testCache, int numClasses, LatentInput latent, int evalBatchSize) {
}
