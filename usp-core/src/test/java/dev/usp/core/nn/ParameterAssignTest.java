package dev.usp.core.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** Loading one model's state dict into another on the same device copies; it does not alias. */
class ParameterAssignTest {

    @Test
    void loadedTensorsAreIndependentLeaves() {
        try (NDManager a = NDManager.newBaseManager(); NDManager b = NDManager.newBaseManager()) {
            Linear source = new Linear(a, 2, 1);
            Linear target = new Linear(b, 2, 1);
            source.weight().array().set(new float[] {1f, 2f});
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                target.loadStateDict(source.stateDict(), true);
                NDArray x = b.create(new float[] {3f, 4f}).reshape(1, 2);
                gc.backward(target.forward(x).sum());
            }
            source.weight().array().addi(10f);
            assertArrayEquals(new float[] {1f, 2f}, target.weight().array().toFloatArray());
            try (NDArray g = target.weight().array().getGradient()) {
                assertArrayEquals(new float[] {3f, 4f}, g.toFloatArray());
            }
            try (NDArray g = source.weight().array().getGradient()) {
                assertArrayEquals(new float[] {0f, 0f}, g.toFloatArray());
            }
        }
    }

    @Test
    void assignCopiesSoInPlaceUpdatesStaySeparate() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray source = m.create(new float[] {1, 2}, new Shape(2));
            Parameter p = new Parameter("w", m.zeros(new Shape(2)), Parameter.Kind.TRAINABLE);
            p.assign(source);
            p.array().muli(3);
            assertArrayEquals(new float[] {1, 2}, source.toFloatArray());
            assertArrayEquals(new float[] {3, 6}, p.array().toFloatArray());
        }
    }
}
