package dev.usp.app.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.engine.InferenceMode;

/**
 * Per-op dispatch cost in inference code: one unit is {@link #OPS} additions of two 16-element arrays,
 * each result freed at once, in libtorch's inference mode as the library's samplers run (PyTorch's
 * side runs under {@code torch.no_grad()}: the authors' sampling scripts turn grad mode off, no more).
 */
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
        try (InferenceMode ignored = InferenceMode.enter()) {
            for (int i = 0; i < OPS; i++) {
                a.add(b).close();
            }
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
