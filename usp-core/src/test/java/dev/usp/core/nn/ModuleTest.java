package dev.usp.core.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.usp.core.weights.LoadReport;
import dev.usp.core.weights.StateDict;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModuleTest {

    @Test
    void blockNamesMatchPyTorch() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = new Block(m, 8, 2, 4.0, 0.0);
            assertEquals(List.of("norm1.weight", "norm1.bias", "attn.qkv.weight", "attn.qkv.bias",
                    "attn.proj.weight", "attn.proj.bias", "norm2.weight", "norm2.bias",
                    "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"),
                    List.copyOf(b.stateDict().keys()));
            // 2*8 + (8*24+24) + (8*8+8) + 2*8 + (8*32+32) + (32*8+8)
            assertEquals(16 + 216 + 72 + 16 + 288 + 264, b.parameterCount());
        }
    }

    @Test
    void linearMatchesFormulaAndLoadsByName() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear lin = new Linear(m, 3, 2);
            StateDict sd = new StateDict("test", null)
                    .put("weight", m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3)))
                    .put("bias", m.create(new float[] {0.5f, -1f}));
            LoadReport r = lin.loadStateDict(sd, true);
            assertTrue(r.isClean());
            NDArray y = lin.forward(m.create(new float[] {1, 1, 1}, new Shape(1, 3)));
            assertArrayEquals(new float[] {6.5f, 14f}, y.toFloatArray(), 1e-6f);
        }
    }

    @Test
    void strictLoadNamesMismatchedShapes() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear lin = new Linear(m, 3, 2);
            StateDict sd = new StateDict("file.safetensors", null)
                    .put("weight", m.zeros(new Shape(3, 3)))
                    .put("extra", m.zeros(new Shape(1)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lin.loadStateDict(sd, true));
            assertTrue(e.getMessage().contains("weight (module (2, 3), state dict (3, 3))"), e.getMessage());
            assertTrue(e.getMessage().contains("extra"), e.getMessage());
            assertTrue(e.getMessage().contains("bias"), e.getMessage());
        }
    }

    @Test
    void forwardAndBackwardLeaveModuleManagerUnchanged() {
        Engine.getInstance().setRandomSeed(0);
        try (NDManager m = NDManager.newBaseManager()) {
            Block b = new Block(m, 16, 4, 4.0, 0.1);
            int before = m.getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                try (NDManager step = m.newSubManager();
                     GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray x = step.randomNormal(new Shape(2, 5, 16));
                    NDArray loss = b.forward(x).square().mean();
                    gc.backward(loss);
                    NDArray g = b.trainableParameters().get("attn.qkv.weight").array().getGradient();
                    g.attach(step);
                    assertTrue(g.abs().sum().getFloat() > 0);
                }
            }
            assertEquals(before, m.getManagedArrays().size());
        }
    }
}
