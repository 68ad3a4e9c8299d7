package dev.usp.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class ParameterAssignTest {

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
