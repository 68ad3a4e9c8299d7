package dev.usp.models.mae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the MAE/ViT PyTorch reference fixtures under {@code src/test/resources/fixtures} and compares arrays with them. */
public final class MaeFixtures {

    private MaeFixtures() {
    }

    /** The path of a fixture file, e.g. {@code mae/weights.safetensors}. */
    public static Path path(String name) {
        URL url = MaeFixtures.class.getResource("/fixtures/" + name);
        assertNotNull(url, "missing fixture " + name + " (run scripts/fixtures/models_mae.py)");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A safetensors fixture as a state dict owned by a sub-manager of {@code m}. */
    public static StateDict tensors(String name, NDManager m) throws IOException {
        return SafeTensors.read(path(name), m);
    }

    /** The non-empty lines of a text fixture. */
    public static List<String> lines(String name) throws IOException {
        return Files.readAllLines(path(name)).stream().filter(s -> !s.isBlank()).toList();
    }

    /**
     * Asserts equal shapes and max|actual - expected| <= rtol * max|expected| (a relative error
     * over the whole tensor, robust to entries near zero).
     */
    public static void assertClose(NDArray expected, NDArray actual, double rtol, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what + ": shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double maxDiff = 0;
        double scale = 0;
        for (int i = 0; i < e.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs((double) a[i] - e[i]));
            scale = Math.max(scale, Math.abs(e[i]));
        }
        assertTrue(scale > 0, what + ": reference is all zeros");
        double rel = maxDiff / scale;
        assertTrue(rel <= rtol, what + ": relative error " + rel + " > " + rtol + " (max diff " + maxDiff + ")");
    }
}
