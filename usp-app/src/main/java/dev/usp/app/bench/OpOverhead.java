package dev.usp.app.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Per-op dispatch cost: one unit is {@link #OPS} additions of two 16-element arrays, each result freed at once. */
final class OpOverhead implements Workload {

    static final int OPS = 10_000;

    private final NDManager manager;
    private final NDArray a;
    private final NDArray b;

    OpOverhead(NDManager root) {
        this.manager = root.newSubManager();
        this.a = manager.ones(new Shape(16), DataType.FLOAT32);
        this.b = manager.ones(new Shape(16), DataType.FLOAT32);
    }

    @Override
    public void step() {
        for (int i = 0; i < OPS; i++) {
            a.add(b).close();
        }
    }

    @Override
    public double itemsPerStep() {
        return OPS;
    }

    @Override
    public String unit() {
        return "ops/s";
    }

    @Override
    public void close() {
        manager.close();
    }
}
