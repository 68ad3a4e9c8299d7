package dev.usp.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fixtures written by scripts/fixtures/vae.py and the configurations of their models. */
final class Fixtures {

    /** ch 8, ch_mult (1,2), 1 res block, attention at 16 in encoder and decoder, 4 groups, 16x16 input. */
    static final VaeConfig TINY = new VaeConfig(8, List.of(1, 2), 1, Set.of(16), Set.of(16), 4, true, 3, 3, 16, 4, 0.18215);
    /** SD-shaped: ch 4, ch_mult (1,2,4,4), 2 res blocks, mid attention only, 2 groups, 32x32 input. */
    static final VaeConfig SDSHAPE = new VaeConfig(4, List.of(1, 2, 4, 4), 2, Set.of(), Set.of(), 4, true, 3, 3, 32, 2, 0.18215);

    private Fixtures() {
    }

    static Path dir(String model) {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/vae/" + model).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static StateDict read(String model, String file, NDManager m) throws IOException {
        return SafeTensors.read(dir(model).resolve(file + ".safetensors"), m);
    }

    /** Asserts |a - b| <= 1e-4 * max(1, |b|) elementwise, with a message naming the tensor and worst index. */
    static void assertClose(String what, NDArray expected, NDArray actual) {
        assertEquals(expected.getShape(), actual.getShape(), what + " shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        int worst = 0;
        double worstErr = 0;
        for (int i = 0; i < e.length; i++) {
            double err = Math.abs(e[i] - a[i]) / Math.max(1.0, Math.abs(e[i]));
            if (err > worstErr) {
                worstErr = err;
                worst = i;
            }
        }
        assertTrue(worstErr <= 1e-4, what + ": relative error " + worstErr + " at " + worst + " (expected "
                + e[worst] + ", got " + a[worst] + ")");
    }
}
