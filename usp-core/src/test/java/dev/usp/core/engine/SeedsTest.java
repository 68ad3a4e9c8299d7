package dev.usp.core.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class SeedsTest {

    private static long[] draw(SplittableRandom r) {
        return new long[] {r.nextLong(), r.nextLong(), r.nextLong()};
    }

    @Test
    void derivedStreamsDependOnlyOnTheirKeys() {
        assertArrayEquals(draw(Seeds.derive(1, 2, 3)), draw(Seeds.derive(1, 2, 3)));
        assertArrayEquals(draw(Seeds.javaOnly(1).stream(2, 3)), draw(Seeds.derive(1, 2, 3)));
        Set<Long> firsts = new HashSet<>();
        for (long seed = 0; seed < 3; seed++) {
            for (long epoch = 0; epoch < 10; epoch++) {
                for (long index = 0; index < 100; index++) {
                    firsts.add(Seeds.derive(seed, epoch, index).nextLong());
                }
            }
        }
        assertEquals(3000, firsts.size());
        // key order matters: (epoch 1, index 2) is not (epoch 2, index 1)
        assertNotEquals(Seeds.derive(0, 1, 2).nextLong(), Seeds.derive(0, 2, 1).nextLong());
        assertNotEquals(Seeds.derive(0).nextLong(), Seeds.derive(0, 0).nextLong());
    }

    @Test
    void seedingTheEngineRepeatsItsRandomNumbers() {
        try (NDManager m = NDManager.newBaseManager()) {
            Seeds s = Seeds.seed(42);
            float[] a = m.randomNormal(new Shape(5)).toFloatArray();
            Seeds.seed(42);
            float[] b = m.randomNormal(new Shape(5)).toFloatArray();
            assertArrayEquals(a, b, 0f);
            assertEquals(42, Engine.getInstance().getSeed());
            assertEquals(42, s.value());
            assertSame(s.main(), s.main());
        }
    }
}
