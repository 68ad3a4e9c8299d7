package dev.usp.core.engine;

import ai.djl.engine.Engine;

import java.util.SplittableRandom;

/**
 * The run's seed: seeds the engine's random generator and derives independent Java-side random
 * streams from {@code (seed, keys...)}, e.g. {@code (seed, epoch, sampleIndex)} for the
 * augmentation of one sample. A derived stream depends only on its keys, never on which thread
 * asks or when, so background decoding stays deterministic under any scheduling.
 */
public final class Seeds {

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

    /** SplitMix64's finaliser: a bijective 64-bit mix. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
