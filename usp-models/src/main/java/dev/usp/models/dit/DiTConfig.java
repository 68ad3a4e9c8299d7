package dev.usp.models.dit;

/**
 * The shape of a DiT or SiT network, with the official constructor's arguments and defaults
 * ({@code input_size=32, patch_size=2, in_channels=4, mlp_ratio=4, class_dropout_prob=0.1,
 * num_classes=1000, learn_sigma=True}).
 *
 * @param inputSize latent side length (32 for 256px images through the d8 VAE)
 * @param patchSize patch side length
 * @param inChannels latent channels
 * @param hiddenSize token width D
 * @param depth number of blocks
 * @param numHeads attention heads
 * @param mlpRatio MLP width over D
 * @param classDropoutProb label dropout for classifier-free guidance; > 0 adds the null-class row
 * @param numClasses number of real classes
 * @param learnSigma true doubles the output channels (DiT's learned variance)
 * @param affineBlockNorms true for the USP "VAE-simple" blocks, whose norm1/norm2 have weight and bias
 */
public record DiTConfig(int inputSize, int patchSize, int inChannels, int hiddenSize, int depth, int numHeads,
                        double mlpRatio, double classDropoutProb, int numClasses, boolean learnSigma,
                        boolean affineBlockNorms) {

    /** Validates the shape. */
    public DiTConfig {
        if (inputSize <= 0 || patchSize <= 0 || inputSize % patchSize != 0) {
            throw new IllegalArgumentException("input size " + inputSize + " must be a positive multiple of patch size "
                    + patchSize);
        }
        if (hiddenSize % numHeads != 0) {
            throw new IllegalArgumentException("hidden size " + hiddenSize + " is not divisible by " + numHeads + " heads");
        }
        if (hiddenSize % 4 != 0) {
            throw new IllegalArgumentException("hidden size " + hiddenSize + " must be a multiple of 4 (sin-cos table)");
        }
        if (inChannels <= 0 || depth < 0 || numClasses <= 0 || classDropoutProb < 0 || classDropoutProb >= 1) {
            throw new IllegalArgumentException("bad DiT config: in channels " + inChannels + ", depth " + depth
                    + ", classes " + numClasses + ", class dropout " + classDropoutProb);
        }
    }

    /** The official defaults for a given width, depth, heads and patch, standard (non-affine) blocks. */
    public static DiTConfig of(int hiddenSize, int depth, int numHeads, int patchSize) {
        return new DiTConfig(32, patchSize, 4, hiddenSize, depth, numHeads, 4.0, 0.1, 1000, true, false);
    }

    /** Output channels: twice the input channels when sigma is learned. */
    public int outChannels() {
        return learnSigma ? 2 * inChannels : inChannels;
    }

    /** Tokens per side. */
    public int gridSize() {
        return inputSize / patchSize;
    }

    /** Number of tokens. */
    public int numPatches() {
        return gridSize() * gridSize();
    }

    /** Rows of the label table: the classes plus the null class when label dropout is on. */
    public int labelTableRows() {
        return numClasses + (classDropoutProb > 0 ? 1 : 0);
    }

    /** A copy with another latent size. */
    public DiTConfig withInputSize(int v) {
        return new DiTConfig(v, patchSize, inChannels, hiddenSize, depth, numHeads, mlpRatio, classDropoutProb,
                numClasses, learnSigma, affineBlockNorms);
    }

    /** A copy with another number of latent channels. */
    public DiTConfig withInChannels(int v) {
        return new DiTConfig(inputSize, patchSize, v, hiddenSize, depth, numHeads, mlpRatio, classDropoutProb,
                numClasses, learnSigma, affineBlockNorms);
    }

    /** A copy with another number of classes. */
    public DiTConfig withNumClasses(int v) {
        return new DiTConfig(inputSize, patchSize, inChannels, hiddenSize, depth, numHeads, mlpRatio, classDropoutProb,
                v, learnSigma, affineBlockNorms);
    }

    /** A copy with another label dropout. */
    public DiTConfig withClassDropoutProb(double v) {
        return new DiTConfig(inputSize, patchSize, inChannels, hiddenSize, depth, numHeads, mlpRatio, v,
                numClasses, learnSigma, affineBlockNorms);
    }

    /** A copy with or without the learned variance channels. */
    public DiTConfig withLearnSigma(boolean v) {
        return new DiTConfig(inputSize, patchSize, inChannels, hiddenSize, depth, numHeads, mlpRatio, classDropoutProb,
                numClasses, v, affineBlockNorms);
    }

    /** A copy with affine (VAE-simple) or non-affine (standard) block norms. */
    public DiTConfig withAffineBlockNorms(boolean v) {
        return new DiTConfig(inputSize, patchSize, inChannels, hiddenSize, depth, numHeads, mlpRatio, classDropoutProb,
                numClasses, learnSigma, v);
    }
}
