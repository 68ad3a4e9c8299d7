package dev.usp.core.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;

/**
 * Run by {@link OneDnnKernelsTest} in a JVM started with {@code ONEDNN_VERBOSE=1}: forward and
 * backward of every kind of operation the models use, at batch 4 (where libtorch picks oneDNN),
 * so that the verbose log lists each oneDNN primitive that ran.
 */
public final class OneDnnKernelsProbe {

    private OneDnnKernelsProbe() {
    }

    /** Runs the operations once and prints "probe done". */
    public static void main(String[] args) {
        Numerics.ensure();
        long[][] convs = {{1, 16, 1}, {3, 8, 1}, {4, 64, 1}, {64, 8, 1}, {16, 1, 1}, {16, 16, 2}, {32, 32, 1}};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray loss = m.zeros(new Shape());
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                for (long[] c : convs) {
                    NDArray x = param(m, new Shape(4, c[0], 16, 16));
                    NDArray w = param(m, new Shape(c[1], c[0], 3, 3));
                    NDArray b = param(m, new Shape(c[1]));
                    NDArray y = Convolutions.conv2d(x.mul(x), w, b, (int) c[2], 1);
                    loss = loss.add(Pool.maxPool2d(y, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false).sum());
                }
                NDArray h = param(m, new Shape(4, 10, 24));
                NDArray w = param(m, new Shape(24, 24));
                NDArray q = h.mul(h).matMul(w.transpose());
                NDArray attn = q.matMul(q.transpose(0, 2, 1)).softmax(-1).matMul(q);
                NDArray ln = LayerNorm.layerNorm(attn, new Shape(24), param(m, new Shape(24)), param(m, new Shape(24)),
                        1e-6f).head();
                NDArray bn = BatchNorm.batchNorm(ln.reshape(40, 24), m.zeros(new Shape(24)), m.ones(new Shape(24)),
                        param(m, new Shape(24)), param(m, new Shape(24)), 1, 0.1f, 1e-5f, true).head();
                gc.backward(loss.add(bn.sum()));
            }
        }
        System.out.println("probe done");
    }

    private static NDArray param(NDManager m, Shape shape) {
        NDArray a = m.randomNormal(shape);
        a.setRequiresGradient(true);
        return a;
    }
}
