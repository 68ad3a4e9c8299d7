package dev.usp.core.engine;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inference-mode scopes: libtorch reports the mode inside and only inside, ops give the same bits,
 * arrays made inside carry libtorch's inference-tensor rules and {@link InferenceMode#call} hands back a
 * normal copy, autograd and grad mode come back as they were, and scopes nest, per thread.
 */
class InferenceModeTest {

    @Test
    void libtorchIsInInferenceModeInsideAScopeOnly() {
        assertNull(InferenceMode.unavailableReason(), "the shim's inference mode is unavailable here");
        assertFalse(InferenceMode.isEnabled());
        boolean gradBefore = JniUtils.isGradMode();
        try (InferenceMode ignored = InferenceMode.enter()) {
            assertTrue(InferenceMode.isEnabled());
            assertFalse(JniUtils.isGradMode(), "grad mode is off in inference mode");
        }
        assertFalse(InferenceMode.isEnabled());
        assertEquals(gradBefore, JniUtils.isGradMode());
    }

    @Test
    void theShimRefusesALibraryThatIsNotLoaded() {
        assertNull(KernelShim.load());
        byte[] err = new byte[256];
        assertEquals(-1, KernelShim.usp_inference_init("/nowhere/libtorch_cpu.so", err, err.length));
        assertTrue(KernelShim.text(err).startsWith("not loaded in this process: "), KernelShim.text(err));
    }

    @Test
    void opsInsideGiveTheSameBits() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            NDArray x = m.randomNormal(new Shape(64, 48));
            NDArray w = m.randomNormal(new Shape(48, 32));
            float[] outside = x.matMul(w).tanh().add(x.get(":, :32")).toFloatArray();
            float[] inside;
            try (InferenceMode ignored = InferenceMode.enter()) {
                inside = x.matMul(w).tanh().add(x.get(":, :32")).toFloatArray();
            }
            assertArrayEquals(outside, inside);
        }
    }

    @Test
    void arraysMadeInsideAreInferenceTensorsAndCallReturnsANormalCopy() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.ones(new Shape(4));
            NDArray inside;
            try (InferenceMode ignored = InferenceMode.enter()) {
                inside = x.add(x);
            }
            EngineException e = assertThrows(EngineException.class, () -> inside.addi(x));
            assertTrue(e.getMessage().contains("Inplace update to inference tensor outside InferenceMode"),
                    e.getMessage());

            NDArray normal = InferenceMode.call(() -> x.add(x));
            normal.addi(x);
            assertArrayEquals(new float[] {3, 3, 3, 3}, normal.toFloatArray());
            assertFalse(InferenceMode.isEnabled());
        }
    }

    @Test
    void autogradRecordsAgainAfterAScope() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3});
            x.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                try (InferenceMode ignored = InferenceMode.enter()) {
                    assertFalse(JniUtils.isGradMode());
                    x.mul(x).close();
                }
                assertTrue(JniUtils.isGradMode(), "the collector's grad mode is back");
                NDArray y = x.mul(x).sum();
                collector.backward(y);
            }
            assertArrayEquals(new float[] {2, 4, 6}, x.getGradient().toFloatArray());
        }
    }

    @Test
    void scopesNestAndCloseInnermostFirst() {
        InferenceMode outer = InferenceMode.enter();
        InferenceMode inner = InferenceMode.enter();
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("innermost first: 1 scope(s)"), e.getMessage());
        inner.close();
        assertTrue(InferenceMode.isEnabled(), "the outer scope is still open");
        inner.close();
        outer.close();
        assertFalse(InferenceMode.isEnabled());
    }

    @Test
    void theModeBelongsToTheThreadThatEnteredIt() throws InterruptedException, ExecutionException {
        try (InferenceMode scope = InferenceMode.enter()) {
            assertFalse(CompletableFuture.supplyAsync(InferenceMode::isEnabled).get(),
                    "another thread is not in inference mode");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
                try {
                    CompletableFuture.runAsync(scope::close).get();
                } catch (ExecutionException wrapped) {
                    throw wrapped.getCause();
                }
            });
            assertTrue(e.getMessage().contains("cannot be closed on"), e.getMessage());
            assertTrue(InferenceMode.isEnabled());
        }
        assertFalse(InferenceMode.isEnabled());
    }
}
