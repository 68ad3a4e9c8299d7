package dev.usp.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Run by {@link MklDispatchTest} in a fresh JVM: applies {@link MklDispatch} before the first matrix
 * product ({@code first}) or after one ({@code late}), then prints the report and the relative error
 * of a float32 (256 x 512) x (512 x 384) product against float64.
 */
public final class MklDispatchProbe {

    private MklDispatchProbe() {
    }

    /** {@code first} or {@code late}; prints "outcome=... path=... error=...". */
    public static void main(String[] args) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomNormal(0f, 1f, new Shape(256, 512), DataType.FLOAT64);
            NDArray b = m.randomNormal(0f, 1f, new Shape(512, 384), DataType.FLOAT64);
            if (args[0].equals("late")) {
                a.toType(DataType.FLOAT32, false).matMul(b.toType(DataType.FLOAT32, false));
            }
            MklDispatch.Report r = MklDispatch.apply();
            NDArray single = a.toType(DataType.FLOAT32, false).matMul(b.toType(DataType.FLOAT32, false));
            NDArray exact = a.matMul(b);
            double error = single.toType(DataType.FLOAT64, false).sub(exact).abs().max().getDouble()
                    / exact.abs().max().getDouble();
            System.out.println("outcome=" + r.outcome() + " path=" + r.codePath() + " error=" + error);
            System.out.println(r.summary());
        }
    }
}
