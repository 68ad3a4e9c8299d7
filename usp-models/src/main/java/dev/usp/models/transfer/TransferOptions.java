package dev.usp.models.transfer;

import java.util.Set;

/**
 * Options of a transfer.
 *
 * @param usePretrainLayer USP's {@code --use-pretrain-layer}: when >= 0, only blocks with index
 *     below it are loaded; negative loads all blocks
 * @param skippableKeys target keys whose shape may differ from the checkpoint's: they are skipped
 *     and reported instead of failing
 * @param extraTokens leading non-patch rows of a classifier's {@code pos_embed} (1: the cls token)
 * @param allowPartial accept target keys left at their init beyond those an MAE encoder never
 *     provides (the generator's embedders, adaLN and final layer, the classifier's head);
 *     false: such keys are an error
 * @param resizePosEmbed resize a {@code pos_embed} of another grid bicubically (the official
 *     {@code interpolate_pos_embed}); false: a grid mismatch is an error naming both sizes
 */
public record TransferOptions(int usePretrainLayer, Set<String> skippableKeys, int extraTokens, boolean allowPartial,
                              boolean resizePosEmbed) {

    /** Copies the key set. */
    public TransferOptions {
        skippableKeys = Set.copyOf(skippableKeys);
        if (extraTokens < 0) {
            throw new IllegalArgumentException("extra tokens must be >= 0, got " + extraTokens);
        }
    }

    /** All blocks, nothing skippable, one cls token, no partial load, no position-table resize. */
    public static TransferOptions defaults() {
        return new TransferOptions(-1, Set.of(), 1, false, false);
    }

    /** A copy keeping only blocks below {@code n} (negative: all). */
    public TransferOptions withUsePretrainLayer(int n) {
        return new TransferOptions(n, skippableKeys, extraTokens, allowPartial, resizePosEmbed);
    }

    /** A copy with these keys allowed to mismatch in shape. */
    public TransferOptions withSkippableKeys(Set<String> keys) {
        return new TransferOptions(usePretrainLayer, keys, extraTokens, allowPartial, resizePosEmbed);
    }

    /** A copy with another number of leading non-patch rows in a classifier's {@code pos_embed}. */
    public TransferOptions withExtraTokens(int n) {
        return new TransferOptions(usePretrainLayer, skippableKeys, n, allowPartial, resizePosEmbed);
    }

    /** A copy that accepts (or refuses) target keys the checkpoint leaves at their init. */
    public TransferOptions withAllowPartial(boolean allow) {
        return new TransferOptions(usePretrainLayer, skippableKeys, extraTokens, allow, resizePosEmbed);
    }

    /** A copy that resizes (or refuses) a position table of another grid. */
    public TransferOptions withResizePosEmbed(boolean resize) {
        return new TransferOptions(usePretrainLayer, skippableKeys, extraTokens, allowPartial, resize);
    }
}
