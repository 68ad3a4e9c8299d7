package dev.usp.core.engine;

import ai.djl.engine.Engine;

import java.util.Random;
import java.util.SplittableRandom;

/**
 * The run's seed: seeds the engine's random generator and derives independent Java-side random
 * streams from {@code (seed, keys...)}, e.g. {@code (seed, epoch, sampleIndex)} for the
 * augmentation of one sample. A derived stream depends only on its keys, never on which thread
 * asks or when, so background decoding stays deterministic under any scheduling.
 *
 * <p>Training steps draw from {@code (run seed, step, stream)} ({@link #forStep}), so that
 * everything random in a step (data order, masks, noise, dropout) is a function of the step and
 * not of the history: a run resumed at step s draws exactly what the uninterrupted run drew, and
 * no generator state has to be saved. Different streams ({@link #DATA}, {@link #ENGINE},
 * {@link #AUX}) give independent-looking seeds for the same step.
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

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final long seed;
    private final SplittableRandom main;

    private Seeds(long seed) {
        this.seed = seed;
        this.main = derive(seed);
    }

    /**
     * Seeds the engine ({@code Engine.getInstance().setRandomSeed}, which takes the low 32 bits)
     * and returns the run's seeds.
     */
    public static Seeds seed(long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        return new Seeds(seed);
    }

    /** Seeds for Java-side randomness only, leaving the engine's generator alone (tests, tools). */
    public static Seeds javaOnly(long seed) {
        return new Seeds(seed);
    }

    /** The seed. */
    public long value() {
        return seed;
    }

    /** The run's main Java stream, for single-threaded use (the same instance on every call). */
    public SplittableRandom main() {
        return main;
    }

    /** A fresh stream for {@code (seed, keys...)}; equal keys give equal streams. */
    public SplittableRandom stream(long... keys) {
        return derive(seed, keys);
    }

    /** A fresh stream for {@code (seed, keys...)}; different keys give statistically independent streams. */
    public static SplittableRandom derive(long seed, long... keys) {
        return new SplittableRandom(hash(seed, keys));
    }

    /** A 64-bit seed that depends only on {@code (seed, keys...)}, well mixed (SplitMix64). */
    public static long hash(long seed, long... keys) {
        long h = mix(seed ^ GOLDEN);
        for (long k : keys) {
            h = mix(h + GOLDEN + mix(k));
        }
        return h;
    }

    /** A 64-bit seed for {@code step} of stream {@code stream} of the run seeded by {@code seed}. */
    public static long forStep(long seed, long step, long stream) {
        return hash(seed, step, stream);
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

    /** SplitMix64's finaliser: a bijective 64-bit mix. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
