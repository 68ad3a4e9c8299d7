package dev.usp.train.optim;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.usp.core.nn.Module;
import dev.usp.core.nn.Parameter;
import dev.usp.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** MAE's parameter groups and lr schedule, and DiT's EMA update. */
class ScheduleAndGroupsTest {

    private static final JsonObject FIX = Fixtures.load("optim.json");

    /** A module with zero parameters of given names and shapes; names in {@code frozen} are not trained. */
    private static final class Shapes extends Module {
        Shapes(NDManager m, JsonObject names, Set<String> frozen) {
            super(m);
            for (Map.Entry<String, JsonElement> e : names.entrySet()) {
                Shape s = new Shape(Fixtures.longs(e.getValue()));
                if (frozen.contains(e.getKey())) {
                    addFrozen(e.getKey(), m.zeros(s));
                } else {
                    addParameter(e.getKey(), m.zeros(s));
                }
            }
        }
    }

    @Test
    void layerDecayGroupsMatchMae() {
        JsonObject lrd = FIX.getAsJsonObject("lrd");
        try (NDManager m = NDManager.newBaseManager()) {
            Shapes model = new Shapes(m, lrd.getAsJsonObject("names"), Set.of());
            List<ParamGroup> groups = ParamGroups.layerDecay(model.trainableParameters(), 0.05,
                    Set.of("pos_embed", "cls_token", "dist_token"), 0.75, 2);
            JsonObject expected = lrd.getAsJsonObject("groups");
            assertEquals(new ArrayList<>(expected.keySet()), groups.stream().map(ParamGroup::name).toList());
            for (ParamGroup g : groups) {
                JsonObject e = expected.getAsJsonObject(g.name());
                assertEquals(e.get("lr_scale").getAsDouble(), g.lrScale(), 1e-15, g.name());
                assertEquals(e.get("weight_decay").getAsDouble(), g.weightDecay(), g.name());
                List<String> names = new ArrayList<>();
                e.getAsJsonArray("params").forEach(n -> names.add(n.getAsString()));
                assertEquals(names, g.params(), g.name());
            }
        }
    }

    @Test
    void weightDecayGroupsFollowTimm() {
        JsonObject names = FIX.getAsJsonObject("lrd").getAsJsonObject("names");
        try (NDManager m = NDManager.newBaseManager()) {
            Shapes model = new Shapes(m, names, Set.of("pos_embed"));
            List<ParamGroup> groups = ParamGroups.weightDecay(model.trainableParameters(), 0.05, Set.of());
            assertEquals(List.of("patch_embed.proj.bias", "blocks.0.norm1.weight", "blocks.1.mlp.fc1.bias",
                    "fc_norm.weight", "head.bias"), groups.get(0).params());
            assertEquals(0.0, groups.get(0).weightDecay());
            assertEquals(List.of("cls_token", "patch_embed.proj.weight", "blocks.0.attn.qkv.weight",
                    "blocks.1.mlp.fc1.weight", "head.weight"), groups.get(1).params());
            assertEquals(0.05, groups.get(1).weightDecay());
        }
    }

    @Test
    void warmupCosineMatchesMae() {
        JsonObject s = FIX.getAsJsonObject("lr_sched");
        LrSchedule sched = LrSchedule.warmupCosine(s.get("lr").getAsDouble(), s.get("min_lr").getAsDouble(),
                s.get("warmup").getAsDouble(), s.get("epochs").getAsDouble());
        double[] epochs = Fixtures.numbers(s.get("epoch"));
        double[] expected = Fixtures.numbers(s.get("value"));
        for (int i = 0; i < epochs.length; i++) {
            assertEquals(expected[i], sched.lr(epochs[i]), 1e-18, "epoch " + epochs[i]);
        }
        assertEquals(2.25, LrSchedule.fractionalEpoch(2, 25, 100));
        assertEquals(1e-4, LrSchedule.constant(1e-4).lr(123.4));
    }

    @Test
    void emaUpdateIsDecayedAverageByName() {
        try (NDManager m = NDManager.newBaseManager()) {
            JsonObject names = new JsonObject();
            JsonElement shape = com.google.gson.JsonParser.parseString("[2]");
            names.add("w", shape);
            Shapes ema = new Shapes(m.newSubManager(), names, Set.of());
            Shapes model = new Shapes(m.newSubManager(), names, Set.of());
            model.trainableParameters().get("w").assign(m.create(new float[] {1f, -2f}));
            Ema.update(ema.namedParameters(), model.namedParameters(), 0.0);
            assertArrayEquals(new float[] {1f, -2f}, ema.namedParameters().get("w").array().toFloatArray());
            model.trainableParameters().get("w").assign(m.create(new float[] {3f, 0f}));
            int before = model.manager().getManagedArrays().size();
            Ema.update(ema.namedParameters(), model.namedParameters(), 0.9);
            assertArrayEquals(new float[] {1.2f, -1.8f}, ema.namedParameters().get("w").array().toFloatArray(), 1e-6f);
            assertEquals(before, model.manager().getManagedArrays().size());
            Parameter p = ema.namedParameters().get("w");
            assertEquals(new Shape(2), p.shape());
        }
    }
}
