package dev.usp.train.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** PSNR against values computed by hand. */
class PsnrTest {

    @Test
    void matchesHandComputedValue() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.zeros(new Shape(1, 1, 2, 2));
            // 1.4 is clamped to 1; in [0, 1] units the errors are 0.1, 0.1, 0.1, 0.5: MSE = 0.28 / 4 = 0.07.
            NDArray b = m.create(new float[] {0.2f, -0.2f, 0.2f, 1.4f}, new Shape(1, 1, 2, 2));
            assertEquals(0.28, Psnr.squaredErrorSum01(a, b), 1e-6);
            assertEquals(10 * Math.log10(1 / 0.07), Psnr.of(a, b), 1e-5);
            assertEquals(11.549019599857432, Psnr.of(b, a), 1e-5);
        }
    }

    @Test
    void fromMse() {
        assertEquals(20.0, Psnr.fromMse(0.01), 1e-12);
        assertEquals(24.0, Psnr.fromMse(Math.pow(10, -2.4)), 1e-12);
    }
}
