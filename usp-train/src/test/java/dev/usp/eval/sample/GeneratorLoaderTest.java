package dev.usp.eval.sample;

import dev.usp.models.generation.GeneratorSpec;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.config.DataConfig;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.config.RunConfig;
import dev.usp.core.testing.EngineRoot;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.models.dit.DiT;
import dev.usp.train.dit.GeneratorTrainConfig;
import dev.usp.train.loop.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link GeneratorLoader} refuses, each with a message naming the file and the cause: a
 * checkpoint loaded as another model than it records, a file with no weights entry (every
 * candidate and the keys present listed), a chosen entry that does not fit, and NaN weights.
 */
class GeneratorLoaderTest {

    private static final Path NO_WEIGHTS = Path.of("../usp-eval/src/test/resources/fixtures/bad-inputs/no_weights.pth");
    private static final Path TWO_TENSORS = Path.of("../usp-eval/src/test/resources/fixtures/bad-inputs/tiny.pth");
    private static final GeneratorSpec SIT = new GeneratorSpec("SiT-T/2", 4, 4, 4);

    @TempDir
    Path dir;

    @RegisterExtension
    final EngineRoot engine = new EngineRoot();

    @Test
    void checkpointLoadedAsAnotherModelNamesBoth() throws IOException {
        Path file = sitCheckpoint("model", "ema");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GeneratorLoader.load(file, new GeneratorSpec("DiT-T/2", 4, 4, 4), null, engine.manager()));
        assertTrue(e.getMessage().contains("sit.safetensors was trained as SiT-T/2 (transport, 4 classes")
                && e.getMessage().contains("loaded as DiT-T/2 (diffusion"), e.getMessage());
        IllegalArgumentException classes = assertThrows(IllegalArgumentException.class,
                () -> GeneratorLoader.load(file, new GeneratorSpec("SiT-T/2", 1000, 4, 4), null, engine.manager()));
        assertTrue(classes.getMessage().contains("1000 classes"), classes.getMessage());
        assertEquals(SIT, GeneratorLoader.load(file, SIT, null, engine.manager()).spec(), "the recorded spec itself is accepted");
    }

    @Test
    void entryIsChosenFromTheKeysPresent() throws IOException {
        Path file = sitCheckpoint("model");
        GeneratorLoader.Loaded loaded = GeneratorLoader.load(file, null, null, engine.manager());
        assertEquals("model", loaded.entry(), "no ema: the raw model");
    }

    @Test
    void fileWithoutWeightsListsEveryCandidateAndItsKeys() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GeneratorLoader.load(NO_WEIGHTS, SIT, null, engine.manager()));
        assertTrue(e.getMessage().contains("no_weights.pth holds no generator weights")
                && e.getMessage().contains("'ema' (absent), 'model' (absent), the whole file (not a state dict)")
                && e.getMessage().contains("keys present: [epoch, args]"), e.getMessage());
    }

    @Test
    void chosenEntryThatDoesNotFitSaysWhichAndWhy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GeneratorLoader.load(TWO_TENSORS, SIT, null, engine.manager()));
        assertTrue(e.getMessage().contains("cannot load SiT-T/2 from " + TWO_TENSORS + ", entry 'model'")
                && e.getMessage().contains("'ema' (absent), 'model' (present)")
                && e.getMessage().contains("keys present: [model]")
                && e.getMessage().contains("x_embedder.proj.weight"), e.getMessage());
    }

    @Test
    void nonFiniteWeightsAreNamed() throws IOException {
        Path file = dir.resolve("nan.safetensors");
        try (NDManager m = engine.manager().newSubManager(); DiT net = SIT.build(m.newSubManager())) {
            Map<String, NDArray> tensors = new LinkedHashMap<>(net.stateDict().asMap());
            NDArray w = tensors.get("blocks.1.attn.qkv.weight");
            float[] v = w.toFloatArray();
            v[3] = Float.NaN;
            v[5] = Float.POSITIVE_INFINITY;
            tensors.put("blocks.1.attn.qkv.weight", m.create(v, w.getShape()));
            SafeTensors.write(file, tensors, Map.of());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GeneratorLoader.load(file, SIT, null, engine.manager()));
        assertTrue(e.getMessage().contains("nan.safetensors") && e.getMessage().contains("'blocks.1.attn.qkv.weight'")
                && e.getMessage().contains("1 NaN and 1 infinite"), e.getMessage());
    }

    @Test
    void recordedObjectiveMustFitTheModel() {
        Map<String, Object> config = new LinkedHashMap<>(Map.of("model", "SiT-T/2", "num_classes", 4, "latent_size", 4,
                "latent_channels", 4, "objective", "diffusion"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GeneratorSpec.fromRunConfig(config));
        assertTrue(e.getMessage().contains("model SiT-T/2 is a SiT, which trains with objective transport, not diffusion"), e.getMessage());
        config.put("objective", "transport");
        config.put("latent_size", "huge");
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> GeneratorSpec.fromRunConfig(config));
        assertTrue(size.getMessage().contains("bad value for latent_size in the checkpoint's config: 'huge'; expected an integer"), size.getMessage());
        config.put("latent_size", 1 << 20);
        IllegalArgumentException bound = assertThrows(IllegalArgumentException.class,
                () -> GeneratorSpec.fromRunConfig(config));
        assertTrue(bound.getMessage().contains("latent_size 1048576 is outside 1..512"), bound.getMessage());
    }

    /** A training checkpoint of a tiny SiT (its config recorded) with the network's weights under each part. */
    private Path sitCheckpoint(String... parts) throws IOException {
        GeneratorTrainConfig config = new GeneratorTrainConfig("SiT-T/2", null, 4, 4, 4, 0.1, new DataConfig("cache",
                null, null, "fmnist", null, 0, 0), 8, 10, new OptimConfig("adamw", 1e-4, 0, 0, 0, 0.9, 0.999, 0, 0,
                "constant"), 0.99, "", null, -1, false, false, 0, 4, 5, null, "sd", new RunConfig(dir, "run", 1, 0, 2,
                false), 0);
        Path file = dir.resolve("sit.safetensors");
        try (DiT net = SIT.build(engine.manager().newSubManager())) {
            Map<String, StateDict> dicts = new LinkedHashMap<>();
            for (String part : parts) {
                dicts.put(part, net.stateDict());
            }
            new Checkpoint(10, 0, 0, ConfigLoader.toYaml(config), dicts, Map.of()).write(file);
        }
        return file;
    }
}
