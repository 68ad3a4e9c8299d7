package dev.usp.core.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link Copies} never aliases its source, where DJL's toType/toDevice(same, copy=true) do. */
class CopiesTest {

    @Test
    void aCopyOfTheSameTypeAndDeviceSharesNoStorage() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray source = m.arange(4f);
            NDArray copy = Copies.of(source, DataType.FLOAT32, Device.cpu());
            copy.muli(10);
            assertArrayEquals(new float[] {0, 1, 2, 3}, source.toFloatArray());
            assertArrayEquals(new float[] {0, 10, 20, 30}, copy.toFloatArray());
        }
    }

    @Test
    void aConvertedCopyHasTheTargetTypeAndTheSameValues() {
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray source = m.arange(4f);
            NDArray copy = Copies.of(source, DataType.FLOAT64, Device.cpu());
            assertEquals(DataType.FLOAT64, copy.getDataType());
            assertArrayEquals(new double[] {0, 1, 2, 3}, copy.toDoubleArray());
        }
    }
}
