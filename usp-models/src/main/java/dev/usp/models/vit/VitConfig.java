package dev.usp.models.vit;

/**
 * Shape and options of a {@link VisionTransformer} classifier on latents.
 *
 * @param inputSize    latent side (28 for 224px images through the d8 VAE)
 * @param patchSize    patch side in latent pixels
 * @param inChannels   latent channels
 * @param embedDim     token width D
 * @param depth        number of blocks actually built (the official {@code depth - skip_depth})
 * @param heads        attention heads
 * @param mlpRatio     MLP hidden width / D
 * @param numClasses   classifier outputs
 * @param pool         average pooling + fc_norm, or cls token + norm
 * @param dropPathRate the last block's drop-path rate (linear from 0)
 * @param headInitStd  std of the truncated-normal head init (MAE fine-tune 2e-5, linear probe 0.01)
 * @param probeHead    MAE's linear-probe head: BatchNorm1d (no affine) then Linear, under {@code head.0/head.1}
 */
public record VitConfig(int inputSize, int patchSize, int inChannels, long embedDim, int depth, int heads,
                        double mlpRatio, int numClasses, GlobalPool pool, double dropPathRate, double headInitStd,
                        boolean probeHead) {

    /** Validates the shape. */
    public VitConfig {
        if (inputSize <= 0 || patchSize <= 0 || inputSize % patchSize != 0) {
            throw new IllegalArgumentException("input size " + inputSize + " must be a positive multiple of patch size "
                    + patchSize);
        }
        if (depth <= 0 || heads <= 0 || embedDim % heads != 0) {
            throw new IllegalArgumentException("need depth > 0 and width divisible by heads, got depth " + depth
                    + ", width " + embedDim + ", heads " + heads);
        }
        if (numClasses <= 0) {
            throw new IllegalArgumentException("numClasses must be positive, got " + numClasses);
        }
    }

    /** Tokens per side. */
    public int gridSize() {
        return inputSize / patchSize;
    }
}
