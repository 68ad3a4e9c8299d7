package dev.usp.train.cls;

import dev.usp.core.config.ConfigException;
import dev.usp.core.config.ConfigLoader;
import dev.usp.models.vit.GlobalPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped YAML configs load, validate and hold the official values. */
class ClsConfigTest {

    private static final Path CONFIGS = Path.of("..", "configs");

    private static FinetuneConfig finetune(String file) {
        return ConfigLoader.load(FinetuneConfig.class, CONFIGS.resolve(file), List.of());
    }

    private static LinprobeConfig linprobe(String file) {
        return ConfigLoader.load(LinprobeConfig.class, CONFIGS.resolve(file), List.of());
    }

    @Test
    void fmnistConfigsAreTinyCpuRuns() {
        FinetuneConfig f = finetune("fmnist/finetune.yaml");
        assertEquals("vit_mini_patch16_vae", f.model().name());
        assertEquals(10, f.numClasses());
        assertFalse(f.mix().enabled());
        assertEquals(1e-3 * 128 / 256, f.schedule().actualLr(), 1e-12);
        assertEquals(2, f.epochs());
        assertNull(f.finetune());
        LinprobeConfig l = linprobe("fmnist/linprobe.yaml");
        assertTrue(l.precomputeFeatures());
        assertEquals(GlobalPool.TOKEN, l.model().pool());
        assertEquals(LatentInput.MEAN, l.latent());
    }

    @Test
    void imagenetConfigsHoldTheMaeRecipe() {
        FinetuneConfig base = finetune("imagenet/finetune-base.yaml");
        assertEquals(1024, base.schedule().effectiveBatch());
        assertEquals(5e-4 * 4, base.schedule().actualLr(), 1e-12);
        assertEquals(0.65, base.layerDecay());
        assertEquals(100, base.epochs());
        assertEquals(5, base.optim().warmupEpochs());
        assertEquals(0.8, base.mix().mixup());
        assertEquals(1.0, base.mix().cutmix());
        assertEquals(0.1, base.mix().smoothing());
        FinetuneConfig large = finetune("imagenet/finetune-large.yaml");
        assertEquals(1024, large.schedule().effectiveBatch());
        assertEquals(0.75, large.layerDecay());
        assertEquals(0.2, large.model().dropPath());
        assertEquals(50, large.epochs());
        for (String size : new String[] {"base", "large"}) {
            LinprobeConfig l = linprobe("imagenet/linprobe-" + size + ".yaml");
            assertEquals(16384, l.schedule().effectiveBatch());
            assertEquals(6.4, l.schedule().actualLr(), 1e-12);
            assertEquals(0, l.optim().weightDecay());
            assertEquals(10, l.optim().warmupEpochs());
            assertEquals(size.equals("base") ? 90 : 50, l.epochs());
            assertEquals(GlobalPool.TOKEN, l.model().pool());
        }
    }

    @Test
    void overridesAndValidation() {
        FinetuneConfig f = ConfigLoader.load(FinetuneConfig.class, CONFIGS.resolve("fmnist/finetune.yaml"),
                List.of("optim.lr=0.01", "model.pool=token", "latent=sample"));
        assertEquals(0.01, f.schedule().actualLr());
        assertEquals(GlobalPool.TOKEN, f.model().pool());
        assertEquals(LatentInput.SAMPLE, f.latent());
        ConfigException oddMix = assertThrows(ConfigException.class, () -> ConfigLoader.load(FinetuneConfig.class,
                CONFIGS.resolve("imagenet/finetune-base.yaml"), List.of("batch_size=7")));
        assertTrue(oddMix.getMessage().contains("even"), oddMix.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> ConfigLoader.load(LinprobeConfig.class,
                null, List.of("optim.layer_decay=0.5")));
        assertTrue(unknown.getMessage().contains("optim.layer_decay"), unknown.getMessage());
        assertThrows(ConfigException.class, () -> ConfigLoader.load(LinprobeConfig.class, null,
                List.of("model.drop_path=2")));
    }

    @Test
    void resolvedConfigRoundTripsThroughYaml(@TempDir Path dir) throws IOException {
        LinprobeConfig l = linprobe("imagenet/linprobe-large.yaml");
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, ConfigLoader.toYaml(l));
        assertEquals(l, ConfigLoader.load(LinprobeConfig.class, file, List.of()));
    }
}
