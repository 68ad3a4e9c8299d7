package dev.usp.models.dit;

import ai.djl.ndarray.NDArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Relative-error comparison against PyTorch fixtures: max|a - e| <= tol * max|e|. */
public final class Close {

    private Close() {
    }

    /** Asserts equal shapes and max abs difference within {@code tol} times the reference's largest magnitude. */
    public static void assertClose(String what, NDArray expected, NDArray actual, double tol) {
        assertEquals(expected.getShape(), actual.getShape(), what + ": shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double max = 0;
        double scale = 0;
        for (int i = 0; i < e.length; i++) {
            max = Math.max(max, Math.abs((double) e[i] - a[i]));
            scale = Math.max(scale, Math.abs(e[i]));
        }
        assertTrue(scale > 0, what + ": reference is all zeros");
        assertTrue(max <= tol * scale, what + ": max abs diff " + max + " > " + tol + " * " + scale);
    }
}
