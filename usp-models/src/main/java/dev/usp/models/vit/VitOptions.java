package dev.usp.models.vit;

/**
 * What a caller chooses when building a named classifier size: the latent geometry, the classes,
 * the pooling, drop path, how many of the last blocks to leave out, and the head init.
 *
 * @param inputSize    latent side
 * @param inChannels   latent channels
 * @param patchSize    patch side
 * @param numClasses   classifier outputs
 * @param pool         pooling mode
 * @param dropPathRate last block's drop-path rate
 * @param skipDepth    blocks removed from the end (USP's {@code skip_depth}: probe an intermediate depth)
 * @param headInitStd  std of the head's truncated-normal init
 * @param probeHead    BatchNorm1d (no affine, eps 1e-6) before the head Linear, as MAE's linear probe
 */
public record VitOptions(int inputSize, int inChannels, int patchSize, int numClasses, GlobalPool pool,
                         double dropPathRate, int skipDepth, double headInitStd, boolean probeHead) {

    /** MAE fine-tune defaults on d8 latents of 224px images: 28x28x4, patch 2, avg pool, drop path 0.1, head std 2e-5. */
    public static VitOptions finetune(int numClasses) {
        return new VitOptions(28, 4, 2, numClasses, GlobalPool.AVG, 0.1, 0, 2e-5, false);
    }

    /** Linear-probe defaults on d8 latents: cls token + norm, no drop path, BatchNorm1d + Linear head with std 0.01. */
    public static VitOptions linearProbe(int numClasses) {
        return new VitOptions(28, 4, 2, numClasses, GlobalPool.TOKEN, 0.0, 0, 0.01, true);
    }

    /** Same options on another latent geometry (e.g. d16: 14, 16, 1). */
    public VitOptions withLatent(int size, int channels, int patch) {
        return new VitOptions(size, channels, patch, numClasses, pool, dropPathRate, skipDepth, headInitStd, probeHead);
    }

    /** Same options with {@code skip} blocks removed from the end. */
    public VitOptions withSkipDepth(int skip) {
        return new VitOptions(inputSize, inChannels, patchSize, numClasses, pool, dropPathRate, skip, headInitStd, probeHead);
    }

    /** Same options with another pooling. */
    public VitOptions withPool(GlobalPool p) {
        return new VitOptions(inputSize, inChannels, patchSize, numClasses, p, dropPathRate, skipDepth, headInitStd, probeHead);
    }

    /** Same options with another drop-path rate. */
    public VitOptions withDropPath(double rate) {
        return new VitOptions(inputSize, inChannels, patchSize, numClasses, pool, rate, skipDepth, headInitStd, probeHead);
    }
}
