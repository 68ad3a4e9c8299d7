package dev.usp.core.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Scopes#chain}: every intermediate is closed once the next exists, never the input, a
 * passed-through array or the result; and a backward through the chain still sees what it needs.
 */
class ScopesChainTest {

    @Test
    void intermediatesAreClosedButNotTheInputAPassThroughOrTheResult() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3});
            List<NDArray> seen = new ArrayList<>();
            UnaryOperator<NDArray> twice = a -> {
                NDArray out = a.add(a);
                seen.add(out);
                return out;
            };
            UnaryOperator<NDArray> same = a -> a;
            NDArray y = Scopes.chain(x, List.of(same, twice, same, twice, twice));
            assertFalse(x.isReleased(), "the input stays open");
            assertTrue(seen.get(0).isReleased());
            assertTrue(seen.get(1).isReleased());
            assertSame(seen.get(2), y);
            assertFalse(y.isReleased());
            assertArrayEquals(new float[] {8, 16, 24}, y.toFloatArray());
        }
    }

    @Test
    void theGradientThroughAChainWithClosedIntermediatesIsRight() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {0.5f, -1f, 2f});
            x.setRequiresGradient(true);
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                // y = tanh(x * x) * x: every intermediate is closed before the backward
                NDArray y = Scopes.chain(x, List.of(a -> a.mul(x), NDArray::tanh, a -> a.mul(x)));
                c.backward(y.sum());
            }
            float[] g = x.getGradient().toFloatArray();
            float[] v = {0.5f, -1f, 2f};
            for (int i = 0; i < v.length; i++) {
                double t = Math.tanh(v[i] * v[i]);
                double expected = t + v[i] * (1 - t * t) * 2 * v[i];
                assertTrue(Math.abs(g[i] - expected) < 1e-5, "x=" + v[i] + ": " + g[i] + " vs " + expected);
            }
        }
    }
}
