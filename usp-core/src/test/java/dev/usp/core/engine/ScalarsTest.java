package dev.usp.core.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.usp.core.nn.Activations;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The gradients of {@link Scalars}' ops stay exact when the garbage collector runs between the
 * forward and the backward pass and the freed direct memory is reused (what corrupts DJL's
 * {@code x.mul(3f)}: its gradient then reads 123 instead of 3 in this setting).
 */
class ScalarsTest {

    @Test
    void gradientsSurviveAGarbageCollectionBeforeTheBackward() throws InterruptedException {
        float[] x = {1f, 2f, 4f};
        assertArrayEquals(new float[] {3f, 3f, 3f}, gradient(x, w -> Scalars.mul(w, 3)));
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f}, gradient(x, w -> Scalars.div(w, 4)));
        assertArrayEquals(new float[] {2f, 4f, 8f}, gradient(x, w -> Scalars.pow(w, 2)));
        float[] silu = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            double sig = 1 / (1 + Math.exp(-x[i]));
            silu[i] = (float) (sig + x[i] * sig * (1 - sig));
        }
        assertArrayEquals(silu, gradient(x, Activations::silu), 1e-6f, "SiLU avoids DJL's swish(x, 1f)");
    }

    @Test
    void scalarsTakeTheArraysTypeAndKeepFloat64Precision() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f32 = m.create(2f);
            assertEquals(DataType.FLOAT32, Scalars.mul(f32, 0.1).getDataType());
            assertEquals(0.2f, Scalars.mul(f32, 0.1).getFloat());
            NDArray f64 = m.create(new double[] {3.0}, new Shape(1));
            assertEquals(DataType.FLOAT64, Scalars.div(f64, 7.0).getDataType());
            assertEquals(3.0 / 7.0, Scalars.div(f64, 7.0).getDouble(0));
        }
    }

    /** d/dw sum(op(w)) at {@code x}, with a GC and 200 reused 4-byte direct buffers holding 123 in between. */
    private static float[] gradient(float[] x, UnaryOperator<NDArray> op) throws InterruptedException {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w = m.create(x, new Shape(x.length)).duplicate();
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = op.apply(w).sum();
                System.gc();
                Thread.sleep(50);
                List<ByteBuffer> reuse = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    reuse.add(ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putFloat(0, 123f));
                }
                gc.backward(y);
            }
            return w.getGradient().toFloatArray();
        }
    }
}
