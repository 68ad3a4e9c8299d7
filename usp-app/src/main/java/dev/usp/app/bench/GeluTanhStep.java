package dev.usp.app.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.usp.core.nn.Activations;

/**
 * Forward and backward of DiT's tanh-approximate GELU on one block's MLP hidden activations of a
 * DiT-S/2 batch of 32 (32 x 256 tokens x 1536): composed from elementwise ops here, one fused
 * kernel in PyTorch.
 */
final class GeluTanhStep implements Workload {

    private static final Shape SHAPE = new Shape(32 * 256, 1536);

    private final NDManager manager;

    GeluTanhStep(NDManager root) {
        this.manager = root.newSubManager();
    }

    @Override
    public void step() {
        try (NDManager m = manager.newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray x = m.randomNormal(0f, 1f, SHAPE, DataType.FLOAT32);
            x.setRequiresGradient(true);
            gc.backward(Activations.geluTanh(x).sum());
        }
    }

    @Override
    public String unit() {
        return "fwd+bwd/s";
    }

    @Override
    public void close() {
        manager.close();
    }
}
