package dev.usp.models.dit;

import dev.usp.models.ParameterCounts;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.usp.models.sit.SiT;
import dev.usp.models.sit.SiTModels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The size registry, parameter counts equal to the official models', names, init and memory scoping. */
class DiTModelsTest {

    @Test
    void parameterCountsEqualTheOfficialModels() {
        // sum(p.numel() for p in model.parameters()) of the official models at 32x32x4, 1000 classes,
        // learn_sigma=True, pos_embed included.
        assertEquals(130_512_416L, countByDepth("DiT-B/2"));
        assertEquals(130_549_280L, countByDepth("DiT-B/2-VAE-simple"));
        assertEquals(458_201_120L, countByDepth("DiT-L/2-VAE-simple"));
        assertEquals(675_129_632L, countByDepth("DiT-XL/2"));
        assertEquals(675_258_656L, countByDepth("DiT-XL/2-VAE-simple"));
    }

    /** The count of the named model (see {@link ParameterCounts}: building the five in full takes over a minute). */
    private static long countByDepth(String name) {
        return ParameterCounts.dit(DiTModels.config(name));
    }

    @Test
    void registryParsesNamesAndRejectsUnknownOnes() {
        DiTConfig xl = DiTModels.config("SiT-XL/4-VAE-simple");
        assertEquals(List.of(1152, 28, 16, 4, true),
                List.of(xl.hiddenSize(), xl.depth(), xl.numHeads(), xl.patchSize(), xl.affineBlockNorms()));
        DiTConfig t = DiTModels.config("DiT-T/2");
        assertEquals(List.of(192, 6, 3, 32, 4, 1000, true, false), List.of(t.hiddenSize(), t.depth(), t.numHeads(),
                t.inputSize(), t.inChannels(), t.numClasses(), t.learnSigma(), t.affineBlockNorms()));
        assertEquals(96, DiTModels.names().size(), "2 families x 6 sizes x patches 1, 2, 4, 8 x plain/VAE-simple");
        assertEquals(1, DiTModels.config("SiT-M/1-VAE-simple").patchSize());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DiTModels.config("DiT-XXL/2"));
        assertTrue(e.getMessage().contains("DiT-XL/2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DiTModels.create(NDManager.newBaseManager(), "SiT-T/2"));
        assertThrows(IllegalArgumentException.class, () -> SiTModels.create(NDManager.newBaseManager(), "DiT-T/2"));
    }

    @Test
    void stateDictKeysAndInitFollowTheOfficialModel() {
        DiTConfig cfg = new DiTConfig(8, 2, 4, 32, 1, 4, 4.0, 0.1, 10, true, true);
        try (DiT m = new DiT(NDManager.newBaseManager(), cfg)) {
            assertEquals(List.of("pos_embed", "x_embedder.proj.weight", "x_embedder.proj.bias",
                    "t_embedder.mlp.0.weight", "t_embedder.mlp.0.bias", "t_embedder.mlp.2.weight", "t_embedder.mlp.2.bias",
                    "y_embedder.embedding_table.weight",
                    "blocks.0.norm1.weight", "blocks.0.norm1.bias", "blocks.0.attn.qkv.weight", "blocks.0.attn.qkv.bias",
                    "blocks.0.attn.proj.weight", "blocks.0.attn.proj.bias", "blocks.0.norm2.weight", "blocks.0.norm2.bias",
                    "blocks.0.mlp.fc1.weight", "blocks.0.mlp.fc1.bias", "blocks.0.mlp.fc2.weight", "blocks.0.mlp.fc2.bias",
                    "blocks.0.adaLN_modulation.1.weight", "blocks.0.adaLN_modulation.1.bias",
                    "final_layer.linear.weight", "final_layer.linear.bias",
                    "final_layer.adaLN_modulation.1.weight", "final_layer.adaLN_modulation.1.bias"),
                    List.copyOf(m.stateDict().keys()));
            var sd = m.stateDict();
            assertEquals(new Shape(11, 32), sd.get("y_embedder.embedding_table.weight").getShape());
            assertEquals(new Shape(1, 16, 32), sd.get("pos_embed").getShape());
            assertFalse(m.trainableParameters().containsKey("pos_embed"));
            assertEquals(0f, sd.get("blocks.0.adaLN_modulation.1.weight").abs().max().getFloat());
            assertEquals(0f, sd.get("final_layer.linear.weight").abs().max().getFloat());
            assertEquals(0f, sd.get("x_embedder.proj.bias").abs().max().getFloat());
            assertEquals(0f, sd.get("t_embedder.mlp.0.bias").abs().max().getFloat());
            // xavier bound of qkv (96, 32): sqrt(6 / 128); table N(0, .02)
            float qkv = sd.get("blocks.0.attn.qkv.weight").abs().max().getFloat();
            assertTrue(qkv <= Math.sqrt(6.0 / 128) && qkv > 0.5 * Math.sqrt(6.0 / 128), "qkv max " + qkv);
            float std = (float) Math.sqrt(sd.get("y_embedder.embedding_table.weight").square().mean().getFloat());
            assertEquals(0.02, std, 0.004);
            // zero adaLN and final layer: the initial output is exactly zero
            try (NDManager step = m.manager().newSubManager()) {
                NDArray out = m.forward(step.randomNormal(new Shape(2, 4, 8, 8)), step.create(new float[] {5, 900}),
                        step.create(new long[] {1, 10}));
                assertEquals(new Shape(2, 8, 8, 8), out.getShape());
                assertEquals(0f, out.abs().max().getFloat());
            }
        }
    }

    @Test
    void labelDropoutUsesTheNullClassInTrainingOnly() {
        Engine.getInstance().setRandomSeed(7);
        try (NDManager m = NDManager.newBaseManager()) {
            LabelEmbedder e = new LabelEmbedder(m, 10, 8, 0.3);
            NDArray labels = m.randomInteger(0, 10, new Shape(4000), DataType.INT64);
            NDArray dropped = e.tokenDrop(labels, null);
            double rate = dropped.eq(10).toType(DataType.FLOAT32, false).mean().getFloat();
            assertEquals(0.3, rate, 0.03);
            assertTrue(dropped.eq(labels).logicalOr(dropped.eq(10)).all().getBoolean(), "kept labels unchanged");
            NDArray table = e.stateDict().get("embedding_table.weight");
            assertEquals(new Shape(11, 8), table.getShape());
            e.eval();
            assertArrayEqualsRow(table.get(3), e.forward(m.create(new long[] {3})));
            e.train(true);
            assertArrayEqualsRow(table.get(10), e.forward(m.create(new long[] {3}), m.create(new long[] {1})));
        }
    }

    private static void assertArrayEqualsRow(NDArray expected, NDArray actual) {
        assertArrayEquals(expected.toFloatArray(), actual.toFloatArray(), 0f);
    }

    @Test
    void stepsInSubManagersLeaveTheModelManagerUnchanged() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager root = NDManager.newBaseManager();
             SiT m = new SiT(root.newSubManager(), new DiTConfig(8, 2, 4, 32, 2, 4, 4.0, 0.1, 10, true, true))) {
            m.train(true);
            int before = m.manager().getManagedArrays().size();
            for (int i = 0; i < 20; i++) {
                try (NDManager step = m.manager().newSubManager();
                     GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray x = step.randomNormal(new Shape(3, 4, 8, 8));
                    NDArray t = step.randomUniform(0f, 1f, new Shape(3));
                    NDArray y = step.randomInteger(0, 10, new Shape(3), DataType.INT64);
                    NDArray loss = m.forward(x, t, y).sub(x).square().mean();
                    gc.backward(loss);
                    for (var p : m.trainableParameters().values()) {
                        p.array().getGradient().attach(step);
                    }
                }
                assertEquals(before, m.manager().getManagedArrays().size(), "step " + i);
            }
        }
    }
}
