package dev.usp.train.dit;

import dev.usp.core.config.ConfigException;
import dev.usp.core.config.ConfigLoader;
import dev.usp.models.generation.GeneratorFamily;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorConfigsTest {

    private static final Path CONFIGS = Path.of("..", "configs");

    private static GeneratorTrainConfig load(String file) {
        return ConfigLoader.load(GeneratorTrainConfig.class, CONFIGS.resolve(file), List.of());
    }

    @Test
    void everyGeneratorYamlLoads() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Stream.concat(Files.list(CONFIGS.resolve("fmnist")), Files.list(CONFIGS.resolve("imagenet")))) {
            files = s.filter(p -> p.getFileName().toString().matches("(dit|sit).*\\.yaml")).sorted().toList();
        }
        assertEquals(7, files.size(), files.toString());
        for (Path f : files) {
            GeneratorTrainConfig c = ConfigLoader.load(GeneratorTrainConfig.class, f, List.of());
            assertEquals(f.getFileName().toString().startsWith("sit"), c.generator().family() == GeneratorFamily.SIT, f.toString());
            String yaml = ConfigLoader.toYaml(c);
            assertTrue(yaml.contains("model: " + c.model()), yaml);
        }
    }

    @Test
    void imagenetConfigsHoldTheOfficialRecipe() {
        String[][] expected = {{"dit-b.yaml", "DiT-B/2-VAE-simple"}, {"dit-l.yaml", "DiT-L/2-VAE-simple"},
            {"dit-xl.yaml", "DiT-XL/2-VAE-simple"}, {"sit-b.yaml", "SiT-B/2-VAE-simple"},
            {"sit-xl.yaml", "SiT-XL/2-VAE-simple"}};
        for (String[] e : expected) {
            GeneratorTrainConfig c = load("imagenet/" + e[0]);
            assertEquals(e[1], c.model());
            assertEquals(1000, c.numClasses());
            assertEquals(32, c.latentSize());
            assertEquals(4, c.latentChannels());
            assertEquals(256, c.batchSize());
            assertEquals(1e-4, c.optim().lr());
            assertEquals(0.0, c.optim().weightDecay());
            assertEquals(0.9999, c.emaDecay());
            assertEquals(400_000, c.steps());
            assertEquals(50_000, c.run().checkpointEvery());
            assertEquals(100, c.run().logEvery());
            assertEquals(0.1, c.classDropout());
            assertEquals("", c.respacing());
            assertTrue(c.finetune().toString().startsWith("SET-ME"), "placeholder finetune path");
        }
    }

    @Test
    void fmnistConfigsAreTiny() {
        for (String f : List.of("fmnist/dit.yaml", "fmnist/sit.yaml")) {
            GeneratorTrainConfig c = load(f);
            assertEquals(10, c.numClasses());
            assertEquals(8, c.latentSize());
            assertTrue(c.model().contains("-M/2"), c.model());
        }
    }

    @Test
    void overridesAndMismatchesAreChecked() {
        GeneratorTrainConfig c = ConfigLoader.load(GeneratorTrainConfig.class, CONFIGS.resolve("imagenet/dit-xl.yaml"),
                List.of("finetune=null", "steps=10"));
        assertEquals(null, c.finetune());
        assertEquals(10, c.steps());
        assertThrows(ConfigException.class, () -> ConfigLoader.load(GeneratorTrainConfig.class,
                CONFIGS.resolve("imagenet/dit-xl.yaml"), List.of("objective=transport")));
        assertThrows(ConfigException.class, () -> ConfigLoader.load(GeneratorTrainConfig.class,
                CONFIGS.resolve("imagenet/dit-xl.yaml"), List.of("ema_decay=1.5")));
    }

    @Test
    void aSiTModelOverDiTDefaultsLoadsInEitherOrder() {
        for (List<String> sets : List.of(List.of("model=SiT-S/2", "objective=transport"),
                List.of("objective=transport", "model=SiT-S/2"))) {
            GeneratorTrainConfig c = ConfigLoader.load(GeneratorTrainConfig.class, null, sets);
            assertEquals("SiT-S/2", c.model(), sets.toString());
            assertTrue(c.generator().family() == GeneratorFamily.SIT, sets.toString());
        }
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(GeneratorTrainConfig.class,
                CONFIGS.resolve("imagenet/dit-xl.yaml"), List.of("model=SiT-S/2")));
        assertTrue(e.getMessage().contains("model from --set model=SiT-S/2")
                && e.getMessage().contains("objective from file " + CONFIGS.resolve("imagenet/dit-xl.yaml")), e.getMessage());
    }
}
