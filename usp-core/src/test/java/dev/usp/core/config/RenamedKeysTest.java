package dev.usp.core.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deprecated keys ({@code renamedKeys()}) are read as their new names from files and --set. The
 * warning's text is checked in usp-app's ConfigVocabularyTest: library modules' classes, tests
 * included, may not use the logging backend (LibraryDependenciesTest).
 */
class RenamedKeysTest {

    record Stage(long seed, int batchSize, RunConfig run, OptimConfig optim, DataConfig data) {
        public static Stage defaults() {
            return new Stage(0, 8, RunConfig.defaults(), OptimConfig.defaults(), DataConfig.cache(null, null));
        }

        public static Map<String, String> renamedKeys() {
            return Map.of("run_root", "run.dir", "lr", "optim.lr", "optim.batch_size", "batch_size",
                    "data.cache", "data.train");
        }
    }

    @Test
    void oldKeysInAFileAreReadAsTheNewOnesWithAWarningEach(@TempDir Path dir) throws IOException {
        Path old = dir.resolve("old.yaml");
        Files.writeString(old, "run_root: out\nlr: 3.0e-4\noptim:\n  batch_size: 32\n  blr: 1.0e-3\ndata:\n  cache: c\n");
        Path now = dir.resolve("new.yaml");
        Files.writeString(now, "run:\n  dir: out\noptim:\n  lr: 3.0e-4\n  blr: 1.0e-3\nbatch_size: 32\ndata:\n  train: c\n");
        Stage fromOld = ConfigLoader.load(Stage.class, old, null);
        assertEquals(ConfigLoader.load(Stage.class, now, null), fromOld);
        assertEquals(Path.of("out"), fromOld.run().dir());
        assertEquals(32, fromOld.batchSize());
        assertEquals(3e-4, fromOld.optim().actualLr(fromOld.batchSize()));
    }

    @Test
    void anOldKeyInASetIsRenamedToo() {
        Stage s = ConfigLoader.load(Stage.class, null, List.of("data.cache=x", "optim.lr=0", "optim.blr=0.5"));
        assertEquals(Path.of("x"), s.data().train());
        assertEquals(0.5 * 8 / 256, s.optim().actualLr(8));    // lr unset (0): blr x batch / 256
    }

    @Test
    void theOldAndTheNewKeyTogetherAreAnError(@TempDir Path dir) throws IOException {
        Path both = dir.resolve("both.yaml");
        Files.writeString(both, "lr: 1.0e-3\noptim:\n  lr: 2.0e-3\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Stage.class, both, null));
        assertTrue(e.getMessage().contains("both the deprecated key lr and its new name optim.lr")
                && e.getMessage().contains(both.toString()), e.getMessage());
    }

    @Test
    void aMappingThatContainsItselfThroughAnAliasIsRefusedNotWalkedForever(@TempDir Path dir) throws IOException {
        Path loop = dir.resolve("loop.yaml");
        Files.writeString(loop, "run: &r\n  name: x\n  again: *r\nrun_root: y\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Stage.class, loop, null));
        assertTrue(e.getMessage().contains("run.again") && e.getMessage().contains(loop.toString()), e.getMessage());
    }

    @Test
    void aStageRefusesWhatItsTrainerDoesNotImplement() {
        OptimConfig cosine = new OptimConfig("adamw", 1e-4, 0, 0, 0, 0.9, 0.999, 0, 0, "cosine");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cosine.require("train-dit", List.of("adamw"), List.of("constant"), false, false));
        assertEquals("train-dit implements optim.schedule constant, not cosine", e.getMessage());
        OptimConfig stepWarmup = new OptimConfig("adamw", 1e-4, 0, 0, 0, 0.9, 0.999, 0, 10, "cosine");
        e = assertThrows(IllegalArgumentException.class,
                () -> stepWarmup.require("pretrain", List.of("adamw"), List.of("cosine"), true, false));
        assertEquals("pretrain counts epochs: set optim.warmup_epochs, not optim.warmup_steps", e.getMessage());
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class,
                () -> DataConfig.images().require("train-dit", "cache", false));
        assertEquals("train-dit reads data.source cache, not images", d.getMessage());
    }
}
