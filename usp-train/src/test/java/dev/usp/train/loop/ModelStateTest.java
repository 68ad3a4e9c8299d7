package dev.usp.train.loop;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.usp.core.nn.Linear;
import dev.usp.core.weights.StateDict;
import dev.usp.train.optim.AdamW;
import dev.usp.train.optim.ParamGroups;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ModelState}: the optimiser part is a copy freed with its dict while module parts are views,
 * a whole-module state and a part of a module (a probe's head) restore what was saved, and a part
 * with other tensor names is refused.
 */
class ModelStateTest {

    @TempDir
    Path dir;

    private NDManager manager;
    private Linear model;
    private AdamW opt;

    @BeforeEach
    void open() {
        Engine.getInstance().setRandomSeed(5);
        manager = NDManager.newBaseManager();
        model = new Linear(manager, 3, 2);
        opt = new AdamW(model.trainableParameters(), ParamGroups.single(model.trainableParameters(), 0.0));
        trainOneStep();
    }

    @AfterEach
    void close() {
        opt.close();
        manager.close();
    }

    /** One AdamW step on a fixed batch, so that the optimiser has state (exp_avg, exp_avg_sq, step). */
    private void trainOneStep() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(new float[] {1, -2, 0.5f, 0.25f, 3, -1}, new Shape(2, 3));
            opt.zeroGrad();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(model.forward(x).square().mean());
            }
            opt.step(0.1);
        }
    }

    private Path save(TrainState state) throws IOException {
        Map<String, StateDict> parts = state.stateDicts();
        Path file = dir.resolve("cp.safetensors");
        try {
            new Checkpoint(1, 0, 7, "cfg", parts, state.scalars()).write(file);
        } finally {
            parts.values().forEach(StateDict::close);
        }
        return file;
    }

    private float[] get(String key) {
        return model.stateDict().get(key).toFloatArray();
    }

    private void set(String key, float value) {
        NDArray a = model.stateDict().get(key);
        try (NDManager m = manager.newSubManager()) {
            model.loadStateDict(new StateDict("test", null).put(key, m.full(a.getShape(), value)), false);
        }
    }

    @Test
    void theOptimizerCopyIsFreedWithItsDictAndTheModelViewIsNot() {
        Map<String, StateDict> parts = ModelState.of(model, opt).with("ema", model).stateDicts();
        assertEquals(List.of("model", "ema", ModelState.OPTIMIZER), List.copyOf(parts.keySet()));
        List<NDArray> copies = List.copyOf(parts.get(ModelState.OPTIMIZER).asMap().values());
        assertFalse(copies.isEmpty());
        parts.values().forEach(StateDict::close);
        assertTrue(copies.stream().allMatch(NDArray::isReleased), "the optimiser's state copy is freed");
        assertFalse(parts.get("model").get("weight").isReleased(), "the model's own arrays stay");
        try (StateDict live = opt.stateDict()) {
            assertEquals(copies.size(), live.size(), "the live optimiser state is untouched");
            assertTrue(live.get("weight.exp_avg").toFloatArray().length == 6);
        }
    }

    @Test
    void wholeModelAndOptimizerRoundTrip() throws IOException {
        float[] weight = get("weight");
        Path file = save(ModelState.of(model, opt));
        float[] expAvg;
        try (StateDict s = opt.stateDict()) {
            expAvg = s.get("weight.exp_avg").toFloatArray();
        }
        trainOneStep();
        set("weight", 9f);
        try (Checkpoint cp = Checkpoint.load(file, manager)) {
            ModelState.of(model, opt).restore(cp);
        }
        assertArrayEquals(weight, get("weight"));
        try (StateDict s = opt.stateDict()) {
            assertArrayEquals(expAvg, s.get("weight.exp_avg").toFloatArray());
            assertEquals(1f, s.get("weight.step").getFloat());
        }
    }

    @Test
    void aPartRestoresItsTensorsAndLeavesTheOthers() throws IOException {
        float[] bias = get("bias");
        Path file = save(ModelState.ofPart("head", model, k -> k.equals("bias"), opt));
        try (Checkpoint cp = Checkpoint.load(file, manager)) {
            assertEquals(List.of("bias"), List.copyOf(cp.part("head").keys()));
            set("bias", 4f);
            set("weight", -3f);
            ModelState.ofPart("head", model, k -> k.equals("bias"), opt).restore(cp);
        }
        assertArrayEquals(bias, get("bias"));
        assertArrayEquals(new float[] {-3, -3, -3, -3, -3, -3}, get("weight"));
    }

    @Test
    void aPartWithOtherTensorsIsRefused() throws IOException {
        Path file = save(ModelState.ofPart("head", model, k -> k.equals("bias"), opt));
        try (Checkpoint cp = Checkpoint.load(file, manager)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ModelState.ofPart("head", model, k -> k.equals("weight"), opt).restore(cp));
            assertTrue(e.getMessage().contains("[bias]") && e.getMessage().contains("[weight]"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> ModelState.of(model, opt).with(ModelState.OPTIMIZER, model));
        assertThrows(IllegalArgumentException.class, () -> ModelState.of(model, opt).with("model", model));
    }
}
