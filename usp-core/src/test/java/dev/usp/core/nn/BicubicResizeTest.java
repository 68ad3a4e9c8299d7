package dev.usp.core.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compares with torch 1.13's F.interpolate(bicubic, align_corners=False), fixtures from scripts/fixtures/models_dit.py. */
class BicubicResizeTest {

    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/bicubic/bicubic.safetensors");

    @Test
    void matchesTorchUpAndDown() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); StateDict ref = SafeTensors.read(FIXTURE, m)) {
            NDArray a = ref.get("a");
            assertClose(ref.get("a_up"), BicubicResize.resize(a, 9, 11));
            assertClose(ref.get("a_down"), BicubicResize.resize(a, 3, 4));
            assertClose(ref.get("pos_rand_16"), BicubicResize.resize(ref.get("pos_rand"), 16, 16));
        }
    }

    @Test
    void rowsSumToOneAndSameSizeIsIdentity() {
        float[] m = BicubicResize.matrix(14, 16);
        for (int i = 0; i < 16; i++) {
            double s = 0;
            for (int j = 0; j < 14; j++) {
                s += m[i * 14 + j];
            }
            assertEquals(1.0, s, 1e-6);
        }
        float[] id = BicubicResize.matrix(5, 5);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 5; j++) {
                assertEquals(i == j ? 1f : 0f, id[i * 5 + j], 1e-7f);
            }
        }
    }

    @Test
    void gradientIsTheTransposedMap() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new ai.djl.ndarray.types.Shape(1, 1, 4, 3));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(BicubicResize.resize(x, 6, 5).sum());
            }
            // d sum / d x[h, w] = (column sums of Mh)[h] * (column sums of Mw)[w]
            float[] mh = BicubicResize.matrix(4, 6);
            float[] mw = BicubicResize.matrix(3, 5);
            float[] expected = new float[12];
            for (int h = 0; h < 4; h++) {
                for (int w = 0; w < 3; w++) {
                    double ch = 0;
                    double cw = 0;
                    for (int i = 0; i < 6; i++) {
                        ch += mh[i * 4 + h];
                    }
                    for (int j = 0; j < 5; j++) {
                        cw += mw[j * 3 + w];
                    }
                    expected[h * 3 + w] = (float) (ch * cw);
                }
            }
            assertArrayEquals(expected, x.getGradient().toFloatArray(), 1e-5f);
        }
    }

    private static void assertClose(NDArray expected, NDArray actual) {
        assertEquals(expected.getShape(), actual.getShape());
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double max = 0;
        double scale = 0;
        for (int i = 0; i < e.length; i++) {
            max = Math.max(max, Math.abs(e[i] - a[i]));
            scale = Math.max(scale, Math.abs(e[i]));
        }
        assertTrue(max <= 1e-5 * scale, "max abs diff " + max + " (scale " + scale + ")");
    }
}
