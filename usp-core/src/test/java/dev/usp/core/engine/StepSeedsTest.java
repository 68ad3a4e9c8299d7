package dev.usp.core.engine;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-step streams of {@link Seeds}: functions of (seed, step, stream) only. */
class StepSeedsTest {

    @Test
    void seedsDependOnlyOnTheirInputsAndDifferAcrossThem() {
        assertEquals(Seeds.forStep(1, 5, Seeds.DATA), Seeds.forStep(1, 5, Seeds.DATA));
        Set<Long> seen = new HashSet<>();
        for (long seed = 0; seed < 4; seed++) {
            for (long step = 0; step < 100; step++) {
                for (long stream = 1; stream <= 3; stream++) {
                    seen.add(Seeds.forStep(seed, step, stream));
                    assertTrue(Seeds.intForStep(seed, step, stream) >= 0);
                }
            }
        }
        assertEquals(4 * 100 * 3, seen.size());
    }

    @Test
    void permutationIsAReproduciblePermutation() {
        int[] p = Seeds.permutation(1000, 3, 2);
        assertArrayEquals(p, Seeds.permutation(1000, 3, 2));
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            assertEquals(i, sorted[i]);
        }
        assertFalse(Arrays.equals(p, Seeds.permutation(1000, 3, 3)), "epochs are shuffled differently");
    }
}
