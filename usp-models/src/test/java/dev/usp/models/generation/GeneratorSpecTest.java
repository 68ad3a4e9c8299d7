package dev.usp.models.generation;

import dev.usp.core.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorSpecTest {

    @Test
    void readsBackFromTheRunConfigYamlACheckpointRecords() {
        GeneratorSpec spec = new GeneratorSpec("SiT-M/2-VAE-simple", 10, 8, 4, 0.1);
        Map<String, Object> runConfig = new LinkedHashMap<>(ConfigLoader.toMap(spec));
        runConfig.put("objective", "transport");
        runConfig.put("batch_size", 64);                      // the rest of a run config is ignored
        Map<String, Object> reread = new Yaml().load(new Yaml().dump(runConfig));
        assertEquals(spec, GeneratorSpec.fromRunConfig(reread));
        assertEquals(GeneratorFamily.SIT, spec.family());
        assertEquals("SiT-M/2-VAE-simple (transport, 10 classes, 8x8x4 latents)", spec.describe());
    }

    @Test
    void classDropoutDefaultsToTheOfficialValueAndBoundsAreChecked() {
        Map<String, Object> old = new LinkedHashMap<>(Map.of("model", "DiT-T/2", "num_classes", 4, "latent_size", 4,
                "latent_channels", 4));
        assertEquals(0.1, GeneratorSpec.fromRunConfig(old).classDropout());
        old.put("class_dropout", 1.5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GeneratorSpec.fromRunConfig(old));
        assertTrue(e.getMessage().contains("class_dropout"), e.getMessage());
        old.remove("latent_channels");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> GeneratorSpec.fromRunConfig(old));
        assertTrue(missing.getMessage().contains("no 'latent_channels'"), missing.getMessage());
    }

    @Test
    void familyDecidesObjectiveAndSamplers() {
        assertEquals(GeneratorFamily.DIT, GeneratorFamily.of("DiT-XL/2"));
        assertEquals(GeneratorFamily.SIT, GeneratorFamily.ofObjective("transport"));
        assertEquals(GeneratorFamily.SIT, SamplerSettings.ode("heun", 4).family());
        assertEquals(GeneratorFamily.DIT, SamplerSettings.ddim(4, 0).family());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GeneratorFamily.checkObjective("DiT-S/2", "transport"));
        assertEquals("model DiT-S/2 is a DiT, which trains with objective diffusion, not transport", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GeneratorFamily.ofObjective("flow"));
    }
}
