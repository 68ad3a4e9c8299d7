package dev.usp.app.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** The machine's fp32 matmul rate through libtorch: one (n, n) x (n, n) product per unit. */
final class MatmulRate implements Workload {

    private final NDManager manager;
    private final NDArray a;
    private final NDArray b;
    private final int n;

    MatmulRate(NDManager root, int n) {
        this.manager = root.newSubManager();
        this.n = n;
        this.a = manager.randomNormal(0f, 1f, new Shape(n, n), DataType.FLOAT32);
        this.b = manager.randomNormal(0f, 1f, new Shape(n, n), DataType.FLOAT32);
    }

    @Override
    public void step() {
        a.matMul(b).close();
    }

    @Override
    public String unit() {
        return "matmul/s";
    }

    @Override
    public double flopsPerStep() {
        return 2.0 * n * n * n;
    }

    @Override
    public void close() {
        manager.close();
    }
}
