package dev.usp.models.mae;

/**
 * Shape and loss options of a {@link MaskedAutoencoder} (the official
 * {@code MaskedAutoencoderViT} constructor arguments, plus the default mask ratio).
 *
 * @param inputSize    latent side (28 for 224px images through the d8 VAE)
 * @param patchSize    patch side in latent pixels (2 for d8, 1 for d16)
 * @param inChannels   latent channels (4 for d8, 16 for d16)
 * @param embedDim     encoder width
 * @param depth        encoder blocks
 * @param heads        encoder heads
 * @param decoderDim   decoder width
 * @param decoderDepth decoder blocks
 * @param decoderHeads decoder heads
 * @param mlpRatio     MLP hidden width / block width
 * @param normPixLoss  normalise each target patch by its mean and unbiased variance
 * @param normImage    with normPixLoss, normalise over the whole image's patches instead (official {@code norm_image})
 * @param maskRatio    fraction of patches removed by {@link MaskedAutoencoder#forward(ai.djl.ndarray.NDArray)}
 */
public record MaeConfig(int inputSize, int patchSize, int inChannels, long embedDim, int depth, int heads,
                        long decoderDim, int decoderDepth, int decoderHeads, double mlpRatio,
                        boolean normPixLoss, boolean normImage, double maskRatio) {

    /** Validates the shape. */
    public MaeConfig {
        if (inputSize <= 0 || patchSize <= 0 || inputSize % patchSize != 0) {
            throw new IllegalArgumentException("input size " + inputSize + " must be a positive multiple of patch size "
                    + patchSize);
        }
        if (embedDim % heads != 0 || decoderDim % decoderHeads != 0) {
            throw new IllegalArgumentException("widths must divide by heads: encoder " + embedDim + "/" + heads
                    + ", decoder " + decoderDim + "/" + decoderHeads);
        }
        if (embedDim % 4 != 0 || decoderDim % 4 != 0) {
            throw new IllegalArgumentException("sin-cos tables need widths divisible by 4, got " + embedDim
                    + " and " + decoderDim);
        }
        if (!(maskRatio >= 0 && maskRatio < 1)) {
            throw new IllegalArgumentException("mask ratio must be in [0, 1), got " + maskRatio);
        }
    }

    /** Patches per side. */
    public int gridSize() {
        return inputSize / patchSize;
    }

    /** Number of patches L. */
    public int numPatches() {
        return gridSize() * gridSize();
    }

    /** Values per patch, p*p*C (the decoder's output width). */
    public int patchDim() {
        return patchSize * patchSize * inChannels;
    }
}
