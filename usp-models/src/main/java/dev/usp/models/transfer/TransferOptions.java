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
 */
public record TransferOptions(int usePretrainLayer, Set<String> skippableKeys, int extraTokens) {

    /** Copies the key set. */
    public TransferOptions {
        skippableKeys = Set.copyOf(skippableKeys);
        if (extraTokens < 0) {
            throw new IllegalArgumentException("extra tokens must be >= 0, got " + extraTokens);
        }
    }

    /** All blocks, nothing skippable, one cls token. */
    public static TransferOptions defaults() {
        return new TransferOptions(-1, Set.of(), 1);
    }

    /** A copy keeping only blocks below {@code n} (negative: all). */
    public TransferOptions withUsePretrainLayer(int n) {
        return new TransferOptions(n, skippableKeys, extraTokens);
    }

    /** A copy with these keys allowed to mismatch in shape. */
    public TransferOptions withSkippableKeys(Set<String> keys) {
        return new TransferOptions(usePretrainLayer, keys, extraTokens);
    }

    /** A copy with another number of leading non-patch rows in a classifier's {@code pos_embed}. */
    public TransferOptions withExtraTokens(int n) {
        return new TransferOptions(usePretrainLayer, skippableKeys, n);
    }
}
