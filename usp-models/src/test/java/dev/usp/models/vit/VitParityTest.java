package dev.usp.models.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.LoadReport;
import dev.usp.core.weights.StateDict;
import dev.usp.models.mae.MaeFixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static dev.usp.models.mae.MaeFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tiny classifier against timm's VisionTransformer in both pooling modes (scripts/fixtures/models_mae.py). */
class VitParityTest {

    private static NDManager root;
    private static StateDict io;

    @BeforeAll
    static void load() throws IOException {
        root = NDManager.newBaseManager();
        io = MaeFixtures.tensors("vit/io.safetensors", root);
    }

    @AfterAll
    static void close() {
        root.close();
    }

    /** latent 8x8x4, patch 2, 32 wide, 2 deep, 4 heads, 5 classes, drop path 0.1, as the fixture script. */
    private static VitConfig tiny(GlobalPool pool) {
        return new VitConfig(8, 2, 4, 32, 2, 4, 4.0, 5, pool, 0.1, 2e-5, false);
    }

    private static void checkLogits(GlobalPool pool, String name) throws IOException {
        try (NDManager m = root.newSubManager(); VisionTransformer vit = new VisionTransformer(tiny(pool), m);
             NDManager step = m.newSubManager()) {
            assertEquals(MaeFixtures.lines("vit/" + name + "_keys.txt"), List.copyOf(vit.stateDict().keys()));
            try (StateDict w = MaeFixtures.tensors("vit/" + name + ".safetensors", m)) {
                vit.loadStateDict(w, true);
            }
            vit.eval();
            NDArray logits = vit.forward(io.get("imgs"));
            assertClose(io.get("logits_" + name), logits, 1e-5, name + " logits");
        }
    }

    @Test
    void averagePoolLogitsMatchTimm() throws IOException {
        checkLogits(GlobalPool.AVG, "avg");
    }

    @Test
    void clsTokenLogitsMatchTimm() throws IOException {
        checkLogits(GlobalPool.TOKEN, "token");
    }

    @Test
    void patchOneAveragePoolLogitsMatchTimm() throws IOException {
        VitConfig p1 = new VitConfig(8, 1, 4, 32, 2, 4, 4.0, 5, GlobalPool.AVG, 0.0, 2e-5, false);
        try (NDManager m = root.newSubManager(); VisionTransformer vit = new VisionTransformer(p1, m);
             StateDict w = MaeFixtures.tensors("vit/avg_p1.safetensors", m);
             StateDict p1io = MaeFixtures.tensors("vit/io_p1.safetensors", m);
             NDManager step = m.newSubManager()) {
            vit.loadStateDict(w, true);
            vit.eval();
            assertClose(p1io.get("logits_avg"), vit.forward(p1io.get("imgs")), 1e-5, "patch-1 avg logits");
        }
    }

    @Test
    void linearProbeBatchNormHeadMatchesPyTorchInTrainingAndEval() throws IOException {
        VitConfig c = new VitConfig(8, 2, 4, 32, 2, 4, 4.0, 5, GlobalPool.TOKEN, 0.0, 0.01, true);
        try (NDManager m = root.newSubManager(); VisionTransformer vit = new VisionTransformer(c, m)) {
            assertEquals(MaeFixtures.lines("vit/probe_keys.txt"), List.copyOf(vit.stateDict().keys()));
            try (StateDict w = MaeFixtures.tensors("vit/probe.safetensors", m)) {
                vit.loadStateDict(w, true);
            }
            int before = m.getManagedArrays().size();
            try (NDManager step = m.newSubManager()) {
                NDArray x = io.get("imgs").duplicate();
                x.attach(step);
                vit.train(true);
                assertClose(io.get("logits_probe_train"), vit.forward(x), 1e-5, "probe logits (batch statistics)");
                vit.eval();
                assertClose(io.get("logits_probe_eval"), vit.forward(x), 1e-5, "probe logits (running statistics)");
            }
            assertEquals(before, m.getManagedArrays().size());
            StateDict sd = vit.stateDict();
            assertClose(io.get("probe_running_mean"), sd.get("head.0.running_mean"), 1e-5, "running mean");
            assertClose(io.get("probe_running_var"), sd.get("head.0.running_var"), 1e-5, "running var");
            assertEquals(1L, sd.get("head.0.num_batches_tracked").getLong());
            assertEquals(List.of("head.1.weight", "head.1.bias"), List.copyOf(vit.trainableParameters().keySet())
                    .subList(vit.trainableParameters().size() - 2, vit.trainableParameters().size()));
        }
    }

    @Test
    void pretrainedMaeLoadsByNameLeavingOnlyHeadAndNormsMissing() throws IOException {
        try (NDManager m = root.newSubManager(); VisionTransformer vit = new VisionTransformer(tiny(GlobalPool.AVG), m);
             StateDict mae = MaeFixtures.tensors("mae/weights.safetensors", m)) {
            LoadReport r = vit.loadStateDict(mae, false);
            assertEquals(Set.of("fc_norm.weight", "fc_norm.bias", "head.weight", "head.bias"), Set.copyOf(r.missing()));
            Set<String> unexpected = new TreeSet<>(r.unexpected());
            unexpected.removeIf(k -> k.startsWith("decoder_"));
            assertEquals(Set.of("mask_token", "norm.weight", "norm.bias"), unexpected);
            assertEquals(List.of(), r.mismatched());
            assertClose(mae.get("blocks.1.mlp.fc2.weight"), vit.stateDict().get("blocks.1.mlp.fc2.weight"), 0, "loaded block");
        }
    }
}
