package dev.usp.eval.fdnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.nn.Parameter;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The net's names, shapes and outputs against a PyTorch mirror (scripts/fixtures/fdnet.py). */
class FmnistFeatureNetTest {

    static Path fixture(String name) {
        try {
            return Path.of(FmnistFeatureNetTest.class.getResource("/fixtures/fdnet/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void parameterNamesAndShapesArePyTorchs() {
        try (NDManager m = NDManager.newBaseManager();
             FmnistFeatureNet net = new FmnistFeatureNet(m.newSubManager(), FmnistFeatureNet.Spec.defaults())) {
            Map<String, Parameter> p = net.namedParameters();
            assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "conv3.weight",
                    "conv3.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"), List.copyOf(p.keySet()));
            assertEquals(new Shape(16, 1, 3, 3), p.get("conv1.weight").shape());
            assertEquals(new Shape(32, 16, 3, 3), p.get("conv2.weight").shape());
            assertEquals(new Shape(64, 32, 3, 3), p.get("conv3.weight").shape());
            assertEquals(new Shape(128, 1024), p.get("fc1.weight").shape());
            assertEquals(new Shape(10, 128), p.get("fc2.weight").shape());
            // sum of numel, as torch counts it for the same module
            assertEquals(160 + 4640 + 18496 + 131200 + 1290, net.parameterCount());
        }
    }

    @Test
    void outputsMatchPyTorch() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             StateDict io = SafeTensors.read(fixture("io.safetensors"), m);
             StateDict sd = SafeTensors.read(fixture("weights.safetensors"), m)) {
            FmnistFeatureNet net = FmnistFeatureNet.fromStateDict(sd, m.newSubManager());
            assertEquals(new FmnistFeatureNet.Spec(3, 4, 5, 6), net.spec());
            try (NDManager step = net.manager().newSubManager()) {
                NDArray x = io.get("x").duplicate();
                x.attach(step);
                NDArray f = net.features(x);
                assertEquals(new Shape(3, 6), f.getShape());
                assertArrayEquals(io.get("features").toFloatArray(), f.toFloatArray(), 1e-5f);
                NDArray logits = net.logits(f);
                assertEquals(new Shape(3, 10), logits.getShape());
                assertArrayEquals(io.get("logits").toFloatArray(), logits.toFloatArray(), 1e-5f);
                assertArrayEquals(io.get("logits").toFloatArray(), net.forward(x).toFloatArray(), 1e-5f);
            }
            net.close();
        }
    }

    @Test
    void forwardKeepsTheModelManagerClean() {
        try (NDManager m = NDManager.newBaseManager();
             FmnistFeatureNet net = new FmnistFeatureNet(m.newSubManager(), new FmnistFeatureNet.Spec(4, 4, 4, 8))) {
            int before = net.manager().getManagedArrays().size();
            try (NDManager step = net.manager().newSubManager()) {
                NDArray logits = net.forward(step.randomUniform(-1, 1, new Shape(2, 1, 32, 32)));
                assertEquals(new Shape(2, 10), logits.getShape());
            }
            assertEquals(before, net.manager().getManagedArrays().size());
        }
    }

    @Test
    void wrongInputShapeNamesTheExpectedShape() {
        try (NDManager m = NDManager.newBaseManager();
             FmnistFeatureNet net = new FmnistFeatureNet(m.newSubManager(), new FmnistFeatureNet.Spec(4, 4, 4, 8))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> net.features(m.zeros(new Shape(2, 1, 28, 28))));
            assertTrue(e.getMessage().contains("(N, 1, 32, 32)") && e.getMessage().contains("(2, 1, 28, 28)"),
                    e.getMessage());
        }
    }

    @Test
    void missingKeyIsNamed() throws Exception {
        try (NDManager m = NDManager.newBaseManager();
             StateDict sd = SafeTensors.read(fixture("weights.safetensors"), m)) {
            sd.remove("conv3.weight");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FmnistFeatureNet.fromStateDict(sd, m.newSubManager()));
            assertTrue(e.getMessage().contains("conv3.weight"), e.getMessage());
        }
    }
}
