package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PatchesTest {

    @Test
    void patchOrderIsRowMajorWithPqcInside() {
        try (NDManager m = NDManager.newBaseManager()) {
            // x[n, c, h, w] = 1000c + 10h + w, with C=2, H=W=4, p=2
            float[] v = new float[2 * 4 * 4];
            for (int c = 0; c < 2; c++) {
                for (int h = 0; h < 4; h++) {
                    for (int w = 0; w < 4; w++) {
                        v[c * 16 + h * 4 + w] = 1000 * c + 10 * h + w;
                    }
                }
            }
            NDArray x = m.create(v, new Shape(1, 2, 4, 4));
            NDArray p = Patches.patchify(x, 2);
            assertEquals(new Shape(1, 4, 8), p.getShape());
            // patch 1 = grid row 0, col 1: pixels (h,w) in {0,1}x{2,3}, each (p,q,c)
            assertArrayEquals(new float[] {2, 1002, 3, 1003, 12, 1012, 13, 1013},
                    p.get("0, 1").toFloatArray());
            assertArrayEquals(v, Patches.unpatchify(p, 2, 2).toFloatArray());
        }
    }

    @Test
    void sinCosHalvesEncodeColumnThenRow() {
        int d = 8;
        float[] t = SinCosPosEmbed.table2d(d, 3, true);
        assertEquals(10 * d, t.length);
        for (int k = 0; k < d; k++) {
            assertEquals(0f, t[k]);
        }
        // token (row 2, col 1) -> index 1 + 7; omega = [1, 1e-2]
        int base = (1 + 2 * 3 + 1) * d;
        assertArrayEquals(new float[] {(float) Math.sin(1), (float) Math.sin(0.01), (float) Math.cos(1), (float) Math.cos(0.01),
                (float) Math.sin(2), (float) Math.sin(0.02), (float) Math.cos(2), (float) Math.cos(0.02)},
                java.util.Arrays.copyOfRange(t, base, base + d), 0f);
    }
}
