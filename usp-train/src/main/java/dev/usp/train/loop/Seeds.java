package dev.usp.train.loop;

import java.util.Random;

/**
 * Deterministic seeds derived from (run seed, step, stream), so that everything random in a step
 * (data order, masks, noise, dropout) is a function of the step and not of the history: a run
 * resumed at step s draws exactly what the uninterrupted run drew at step s, and no generator
 * state has to be saved.
 *
 * <p>Mixing is {@link dev.usp.core.engine.Seeds#hash} (SplitMix64) of the three inputs; different
 * streams (e.g. {@link #DATA}, {@link #ENGINE}) give independent-looking seeds for the same step.
 */
public final class Seeds {

    /** Stream for the order of training examples. */
    public static final long DATA = 1;
    /** Stream the training loop uses to reseed the engine before each step. */
    public static final long ENGINE = 2;
    /** Stream for augmentation, masks and other host-side randomness of the caller. */
    public static final long AUX = 3;
    /** Stream of {@link #permutation}, indexed by epoch instead of step. */
    private static final long EPOCH_ORDER = 4;

    private Seeds() {
    }

    /** A 64-bit seed for {@code step} of stream {@code stream} of the run seeded by {@code seed}. */
    public static long forStep(long seed, long step, long stream) {
        return dev.usp.core.engine.Seeds.hash(seed, step, stream);
    }

    /** The same seed folded to 31 bits, for APIs that take a non-negative int (the engine's). */
    public static int intForStep(long seed, long step, long stream) {
        long z = forStep(seed, step, stream);
        return (int) ((z ^ (z >>> 32)) & 0x7fffffffL);
    }

    /** A fresh {@link Random} for {@code step} of {@code stream}. */
    public static Random random(long seed, long step, long stream) {
        return new Random(forStep(seed, step, stream));
    }

    /**
     * A permutation of {@code 0..n-1} for one epoch (Fisher-Yates driven by the epoch's seed).
     * A trainer that walks a dataset in epochs takes example {@code perm[i]} for position
     * {@code i} of epoch {@code e}, which makes the batch of any step a function of (seed, step).
     */
    public static int[] permutation(int n, long seed, long epoch) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        Random r = random(seed, epoch, EPOCH_ORDER);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }
}
