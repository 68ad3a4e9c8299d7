package dev.usp.train.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.usp.core.nn.Parameter;
import dev.usp.core.weights.StateDict;
import dev.usp.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static dev.usp.core.testing.Fixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** AdamW, LARS and gradient clipping against torch.optim.AdamW, MAE's LARS and clip_grad_norm_. */
class OptimizerTest {

    private static final JsonObject FIX = Fixtures.load("optim.json");
    private static final double ATOL = 2e-6;
    private static final double RTOL = 2e-5;

    private static List<ParamGroup> groups() {
        List<ParamGroup> out = new ArrayList<>();
        for (JsonElement g : FIX.getAsJsonArray("groups")) {
            JsonObject o = g.getAsJsonObject();
            List<String> names = new ArrayList<>();
            o.getAsJsonArray("params").forEach(n -> names.add(n.getAsString()));
            out.add(new ParamGroup(o.get("name").getAsString(), names,
                    o.get("lr_scale").getAsDouble(), o.get("weight_decay").getAsDouble()));
        }
        return out;
    }

    private static final BiFunction<Map<String, Parameter>, List<ParamGroup>, Optimizer> ADAMW =
            (p, g) -> new AdamW(p, g, 0.9, 0.95, 1e-8);
    private static final BiFunction<Map<String, Parameter>, List<ParamGroup>, Optimizer> LARS = Lars::new;

    @Test
    void adamWMatchesTorchOverFiveSteps() {
        runFiveSteps("adamw", ADAMW);
    }

    @Test
    void larsMatchesMaeOverFiveSteps() {
        runFiveSteps("lars", LARS);
    }

    private void runFiveSteps(String kind, BiFunction<Map<String, Parameter>, List<ParamGroup>, Optimizer> make) {
        JsonArray grads = FIX.getAsJsonArray("grads");
        JsonArray steps = FIX.getAsJsonObject(kind).getAsJsonArray("steps");
        double lr = FIX.get("base_lr").getAsDouble();
        try (NDManager m = NDManager.newBaseManager();
             ParamHolder h = new ParamHolder(m.newSubManager(), FIX.getAsJsonObject("init"));
             Optimizer opt = make.apply(h.trainableParameters(), groups())) {
            int arraysAfterFirst = -1;
            for (int s = 0; s < 5; s++) {
                h.setGradients(grads.get(s).getAsJsonObject());
                opt.step(lr);
                if (s == 0) {
                    arraysAfterFirst = h.manager().getManagedArrays().size();
                }
                JsonObject expected = steps.get(s).getAsJsonObject();
                for (Map.Entry<String, Parameter> e : h.trainableParameters().entrySet()) {
                    assertClose(expected.get(e.getKey()), e.getValue().array(), ATOL, RTOL, kind + " step " + (s + 1) + " " + e.getKey());
                }
            }
            assertEquals(arraysAfterFirst, h.manager().getManagedArrays().size(), "no arrays leak per step");
            JsonObject state = FIX.getAsJsonObject(kind).getAsJsonObject("state");
            try (StateDict sd = opt.stateDict()) {
                for (Map.Entry<String, JsonElement> e : state.entrySet()) {
                    if (e.getValue().isJsonObject()) {
                        assertClose(e.getValue(), sd.get(e.getKey()), ATOL, RTOL, kind + " state " + e.getKey());
                    } else {
                        assertEquals(e.getValue().getAsDouble(), sd.get(e.getKey()).getFloat(), kind + " " + e.getKey());
                    }
                }
            }
        }
    }

    @Test
    void stateDictRoundTripResumesExactly() {
        JsonArray grads = FIX.getAsJsonArray("grads");
        JsonObject last = FIX.getAsJsonObject("adamw").getAsJsonArray("steps").get(4).getAsJsonObject();
        double lr = FIX.get("base_lr").getAsDouble();
        try (NDManager m = NDManager.newBaseManager();
             ParamHolder a = new ParamHolder(m.newSubManager(), FIX.getAsJsonObject("init"));
             ParamHolder b = new ParamHolder(m.newSubManager(), FIX.getAsJsonObject("init"));
             Optimizer first = ADAMW.apply(a.trainableParameters(), groups());
             Optimizer resumed = ADAMW.apply(b.trainableParameters(), groups())) {
            for (int s = 0; s < 3; s++) {
                a.setGradients(grads.get(s).getAsJsonObject());
                first.step(lr);
            }
            b.loadStateDict(a.stateDict(), true);
            try (StateDict sd = first.stateDict()) {
                assertEquals(9, sd.size(), "step, exp_avg, exp_avg_sq for 3 parameters: " + sd.keys());
                resumed.loadStateDict(sd);
            }
            for (int s = 3; s < 5; s++) {
                b.setGradients(grads.get(s).getAsJsonObject());
                resumed.step(lr);
            }
            assertEquals(5, resumed.stepCount("head.weight"));
            for (Map.Entry<String, Parameter> e : b.trainableParameters().entrySet()) {
                assertClose(last.get(e.getKey()), e.getValue().array(), ATOL, RTOL, "resumed " + e.getKey());
            }
        }
    }

    @Test
    void loadedStateIsACopyThatLaterStepsLeaveAlone() {
        JsonArray grads = FIX.getAsJsonArray("grads");
        double lr = FIX.get("base_lr").getAsDouble();
        try (NDManager m = NDManager.newBaseManager();
             ParamHolder a = new ParamHolder(m.newSubManager(), FIX.getAsJsonObject("init"));
             ParamHolder b = new ParamHolder(m.newSubManager(), FIX.getAsJsonObject("init"));
             Optimizer first = ADAMW.apply(a.trainableParameters(), groups());
             Optimizer resumed = ADAMW.apply(b.trainableParameters(), groups())) {
            a.setGradients(grads.get(0).getAsJsonObject());
            first.step(lr);
            try (StateDict sd = first.stateDict()) {
                resumed.loadStateDict(sd);
                float[] saved = sd.get("head.weight.exp_avg").toFloatArray();
                b.setGradients(grads.get(1).getAsJsonObject());
                resumed.step(lr);
                // toDevice(same device, copy=true) is an alias in DJL: the state must not share the file's storage
                assertArrayEquals(saved, sd.get("head.weight.exp_avg").toFloatArray(),
                        "the loaded state dict is unchanged");
            }
        }
    }

    @Test
    void clipGradNormMatchesTorch() {
        JsonObject grads = FIX.getAsJsonArray("grads").get(0).getAsJsonObject();
        for (String maxNorm : new String[] {"1.0", "100.0"}) {
            JsonObject expected = FIX.getAsJsonObject("clip").getAsJsonObject(maxNorm);
            try (NDManager m = NDManager.newBaseManager();
                 ParamHolder h = new ParamHolder(m.newSubManager(), FIX.getAsJsonObject("init"))) {
                h.setGradients(grads);
                double total = GradClip.clipGradNorm(h.trainableParameters(), Double.parseDouble(maxNorm));
                assertEquals(expected.get("total").getAsDouble(), total, 1e-5);
                for (Map.Entry<String, Parameter> e : h.trainableParameters().entrySet()) {
                    try (NDArray g = e.getValue().array().getGradient()) {
                        assertClose(expected.getAsJsonObject("grads").get(e.getKey()), g, 1e-6, 1e-5, "clipped " + e.getKey());
                    }
                }
                Optimizer.zeroGrad(h.trainableParameters());
                assertEquals(0.0, GradClip.gradNorm(h.trainableParameters()));
            }
        }
    }

    /** {"w": {"shape": [2], "data": [a, b]}}, the fixtures' array form. */
    private static JsonObject vector(double a, double b) {
        JsonArray shape = new JsonArray();
        shape.add(2);
        JsonArray data = new JsonArray();
        data.add(a);
        data.add(b);
        JsonObject entry = new JsonObject();
        entry.add("shape", shape);
        entry.add("data", data);
        JsonObject named = new JsonObject();
        named.add("w", entry);
        return named;
    }
}
