package dev.usp.train.cls;

import dev.usp.core.config.Range;

/**
 * Mixup/CutMix and label smoothing of fine-tuning (timm's {@code Mixup}, batch mode). Mixing is
 * off when both alphas are 0; label smoothing then applies alone.
 *
 * @param mixup      mixup Beta alpha (0.8 official; 0 = off)
 * @param cutmix     cutmix Beta alpha (1.0 official; 0 = off)
 * @param prob       probability of mixing a batch
 * @param switchProb probability of cutmix instead of mixup when both are on
 * @param smoothing  label smoothing (0.1 official)
 */
public record MixConfig(@Range(min = 0) double mixup, @Range(min = 0) double cutmix,
                        @Range(min = 0, max = 1) double prob, @Range(min = 0, max = 1) double switchProb,
                        @Range(min = 0, max = 1) double smoothing) {

    /** The MAE fine-tune recipe: mixup 0.8, cutmix 1.0, prob 1, switch 0.5, smoothing 0.1. */
    public static MixConfig defaults() {
        return new MixConfig(0.8, 1.0, 1.0, 0.5, 0.1);
    }

    /** True when mixup or cutmix is on. */
    public boolean enabled() {
        return mixup > 0 || cutmix > 0;
    }
}
