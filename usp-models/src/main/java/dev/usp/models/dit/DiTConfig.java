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

    /** A builder starting from this config, to change a few values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Builds a {@link DiTConfig} from another one, value by value (the official constructor's keyword
     * arguments), checked once in {@link #build()}.
     */
    public static final class Builder {
        private int inputSize;
        private int patchSize;
        private int inChannels;
        private int hiddenSize;
        private int depth;
        private int numHeads;
        private double mlpRatio;
        private double classDropoutProb;
        private int numClasses;
        private boolean learnSigma;
        private boolean affineBlockNorms;

        private Builder(DiTConfig c) {
            inputSize = c.inputSize;
            patchSize = c.patchSize;
            inChannels = c.inChannels;
            hiddenSize = c.hiddenSize;
            depth = c.depth;
            numHeads = c.numHeads;
            mlpRatio = c.mlpRatio;
            classDropoutProb = c.classDropoutProb;
            numClasses = c.numClasses;
            learnSigma = c.learnSigma;
            affineBlockNorms = c.affineBlockNorms;
        }

        /** Latent side length. */
        public Builder inputSize(int v) {
            inputSize = v;
            return this;
        }

        /** Latent channels. */
        public Builder inChannels(int v) {
            inChannels = v;
            return this;
        }

        /** Number of real classes. */
        public Builder numClasses(int v) {
            numClasses = v;
            return this;
        }

        /** Label dropout; > 0 adds the null-class row. */
        public Builder classDropoutProb(double v) {
            classDropoutProb = v;
            return this;
        }

        /** With or without the learned variance channels. */
        public Builder learnSigma(boolean v) {
            learnSigma = v;
            return this;
        }

        /** Affine (VAE-simple) or standard block norms. */
        public Builder affineBlockNorms(boolean v) {
            affineBlockNorms = v;
            return this;
        }

        /** The config; the record's checks run here. */
        public DiTConfig build() {
            return new DiTConfig(inputSize, patchSize, inChannels, hiddenSize, depth, numHeads, mlpRatio,
                    classDropoutProb, numClasses, learnSigma, affineBlockNorms);
        }
    }
}
