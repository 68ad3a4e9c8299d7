package dev.usp.models.mae;

/**
 * What a caller chooses when building a named MAE size: latent geometry and the loss.
 *
 * @param inputSize   latent side
 * @param inChannels  latent channels
 * @param patchSize   base patch (the {@code _2} sizes double it, as the official factories do)
 * @param normPixLoss per-patch normalised targets (the USP recipe turns it on)
 * @param normImage   with normPixLoss, normalise per image instead of per patch
 * @param maskRatio   default fraction of removed patches
 */
public record MaeOptions(int inputSize, int inChannels, int patchSize, boolean normPixLoss, boolean normImage,
                         double maskRatio) {

    /** The USP recipe on d8 latents of 224px images: 28x28x4, patch 2, norm_pix_loss, ratio 0.75. */
    public static MaeOptions d8() {
        return new MaeOptions(28, 4, 2, true, false, 0.75);
    }

    /** The USP recipe on d16 latents of 224px images: 14x14x16, patch 1, norm_pix_loss, ratio 0.75. */
    public static MaeOptions d16() {
        return new MaeOptions(14, 16, 1, true, false, 0.75);
    }

    /** Same options on another latent geometry. */
    public MaeOptions withLatent(int size, int channels, int patch) {
        return new MaeOptions(size, channels, patch, normPixLoss, normImage, maskRatio);
    }

    /** Same options with other loss normalisation. */
    public MaeOptions withNormPixLoss(boolean perPatch, boolean perImage) {
        return new MaeOptions(inputSize, inChannels, patchSize, perPatch, perImage, maskRatio);
    }

    /** Same options with another default mask ratio. */
    public MaeOptions withMaskRatio(double ratio) {
        return new MaeOptions(inputSize, inChannels, patchSize, normPixLoss, normImage, ratio);
    }
}
