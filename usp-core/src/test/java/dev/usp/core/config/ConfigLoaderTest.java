package dev.usp.core.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    enum Schedule { COSINE, CONSTANT, HALF_CYCLE }

    record Optim(@Range(min = 0, max = 1) double lr, @Range(min = 1) int batchSize, Schedule schedule, List<Double> betas) {
        static Optim defaults() {
            return new Optim(1.5e-4, 64, Schedule.COSINE, List.of(0.9, 0.95));
        }
    }

    record Model(@OneOf({"B", "L", "XL"}) String size, @Range(min = 1, max = 64) List<Integer> depths, List<String> tags,
                 boolean ema, Path checkpoint) {
        static Model defaults() {
            return new Model("B", List.of(12), List.of(), true, null);
        }
    }

    record TestConfig(long seed, Optim train, Model model, String name) {
        public static TestConfig defaults() {
            return new TestConfig(0, Optim.defaults(), Model.defaults(), "run");
        }
    }

    private static Path yaml(Path dir, String text) throws IOException {
        Path f = dir.resolve("config.yaml");
        Files.writeString(f, text);
        return f;
    }

    private static ConfigException error(Path yaml, String... overrides) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(TestConfig.class, yaml, List.of(overrides)));
    }

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
        }
    }

    @Test
    void defaultsWhenNothingIsGiven() {
        assertEquals(TestConfig.defaults(), ConfigLoader.load(TestConfig.class, null, List.of()));
    }

    @Test
    void yamlFillsNestedRecordsListsAndEnums(@TempDir Path dir) throws IOException {
        Path f = yaml(dir, """
                seed: 7
                train:
                  lr: 1e-3
                  schedule: half_cycle
                  betas: [0.8, 0.99]
                model:
                  size: XL
                  depths:
                    - 28
                    - 4
                  tags: [a, b]
                  ema: false
                  checkpoint: /tmp/w.safetensors
                name: no
                """);
        TestConfig c = ConfigLoader.load(TestConfig.class, f, List.of());
        assertEquals(new TestConfig(7, new Optim(1e-3, 64, Schedule.HALF_CYCLE, List.of(0.8, 0.99)),
                new Model("XL", List.of(28, 4), List.of("a", "b"), false, Path.of("/tmp/w.safetensors")), "no"), c);
    }

    @Test
    void overridesWinOverYamlWhichWinsOverDefaults(@TempDir Path dir) throws IOException {
        Path f = yaml(dir, "train:\n  lr: 0.1\n  batch_size: 32\n");
        TestConfig c = ConfigLoader.load(TestConfig.class, f, List.of("train.lr=1e-4", "model.depths=[2, 4]",
                "model.tags=x,y", "model.checkpoint=ckpt.pt", "train.schedule=CONSTANT", "train.lr=2e-4"));
        assertEquals(2e-4, c.train().lr());
        assertEquals(32, c.train().batchSize());
        assertEquals(List.of(0.9, 0.95), c.train().betas());
        assertEquals(Schedule.CONSTANT, c.train().schedule());
        assertEquals(List.of(2, 4), c.model().depths());
        assertEquals(List.of("x", "y"), c.model().tags());
        assertEquals(Path.of("ckpt.pt"), c.model().checkpoint());
        assertEquals("run", c.name());

        TestConfig whole = ConfigLoader.load(TestConfig.class, f, List.of("train={lr: 0.5, betas: [0.1]}", "name=null"));
        assertEquals(new Optim(0.5, 32, Schedule.COSINE, List.of(0.1)), whole.train());
        assertNull(whole.name());
    }

    @Test
    void unknownKeyNamesDottedKeyFileAndAllowedKeys(@TempDir Path dir) throws IOException {
        Path f = yaml(dir, "train:\n  lrr: 0.1\n");
        assertMentions(error(f), "unknown config key train.lrr", "file " + f, "allowed keys under train: lr, batch_size, schedule, betas");
        assertMentions(error(null, "model.width=3"), "unknown config key model.width", "--set model.width=3",
                "size, depths, tags, ema, checkpoint");
        assertMentions(error(null, "epochs=3"), "unknown config key epochs", "allowed keys: seed, train, model, name");
    }

    @Test
    void wrongTypesNameKeyValueAndWhatIsAllowed(@TempDir Path dir) throws IOException {
        assertMentions(error(null, "train.batch_size=abc"), "train.batch_size", "'abc'", "expected an integer");
        assertMentions(error(null, "train.batch_size=1.5"), "'1.5'", "integer");
        assertMentions(error(null, "train.schedule=linear"), "train.schedule", "'linear'", "one of cosine, constant, half_cycle");
        assertMentions(error(null, "model.depths=[2, x]"), "model.depths[1]", "'x'");
        assertMentions(error(yaml(dir, "model:\n  ema: yes\n")), "model.ema", "'yes'", "true or false");
        assertMentions(error(yaml(dir, "train: 3\n")), "train", "expected a mapping with keys lr, batch_size");
        assertMentions(error(yaml(dir, "seed: [1]\n")), "seed", "expected an integer");
        assertMentions(error(null, "model.ema=null"), "model.ema", "null");
        assertMentions(error(null, "train.lr"), "expected dotted.key=value");
        assertMentions(error(yaml(dir, "seed: 1\nseed: 2\n")), "cannot parse YAML", "duplicate");
    }

    @Test
    void outOfRangeAndOneOfNameTheBounds(@TempDir Path dir) throws IOException {
        Path f = yaml(dir, "train:\n  lr: 5\n");
        assertMentions(error(f), "value out of range for train.lr in file " + f + ": 5.0", "allowed: 0 <= train.lr <= 1");
        assertMentions(error(null, "train.batch_size=0"), "train.batch_size", "--set train.batch_size=0", "1 <= train.batch_size <= Infinity");
        assertMentions(error(null, "model.depths=4,100"), "model.depths", "100", "1 <= model.depths <= 64");
        assertMentions(error(null, "model.size=XXL"), "model.size", "'XXL'", "allowed: B, L, XL");
    }

    @Test
    void yamlRoundTripGivesAnEqualRecord(@TempDir Path dir) throws IOException {
        TestConfig c = ConfigLoader.load(TestConfig.class, null, List.of("seed=123456789012", "train.lr=1e-4",
                "train.schedule=half_cycle", "model.tags=a,true,3", "model.checkpoint=/x/y.pt", "name=no"));
        String text = ConfigLoader.toYaml(c);
        assertTrue(text.contains("batch_size: 64"), text);
        assertTrue(text.contains("schedule: half_cycle"), text);
        Path f = dir.resolve("run/config.yaml");
        ConfigLoader.save(f, c);
        assertEquals(c, ConfigLoader.load(TestConfig.class, f, List.of()));
        TestConfig d = TestConfig.defaults();
        assertEquals(d, ConfigLoader.load(TestConfig.class, yaml(dir, ConfigLoader.toYaml(d)), List.of()));
    }

    @Test
    void rangeRefusesNanAndInfinityNamingKeySourceAndValue(@TempDir Path dir) throws IOException {
        Path f = yaml(dir, "train:\n  lr: .nan\n");
        assertMentions(error(f), "bad value for train.lr in file " + f + ": NaN", "finite number with 0 <= train.lr <= 1");
        assertMentions(error(null, "train.lr=-.inf"), "train.lr", "--set train.lr=-.inf", "-Infinity", "finite");
        Path inf = yaml(dir, "gen:\n  warmup: .inf\n");
        assertMentions(assertThrows(ConfigException.class, () -> ConfigLoader.load(GenConfig.class, inf, List.of())),
                "bad value for gen.warmup in file " + inf + ": Infinity", "expected a finite number >= 0");
    }

    record Gen(String model, String objective, @Range(min = 0) double warmup) {
        Gen {
            if (model.startsWith("SiT") != objective.equals("transport")) {
                throw new IllegalArgumentException("model " + model + " does not train with objective " + objective);
            }
        }

        static Gen defaults() {
            return new Gen("DiT-S", "diffusion", 1);
        }
    }

    record GenConfig(Gen gen, String name) {
        public static GenConfig defaults() {
            return new GenConfig(Gen.defaults(), "run");
        }
    }

    @Test
    void overridesAreMergedBeforeTheRecordChecksThemInAnyOrder(@TempDir Path dir) throws IOException {
        Gen sit = new Gen("SiT-S", "transport", 1);
        assertEquals(sit, ConfigLoader.load(GenConfig.class, null, List.of("gen.model=SiT-S", "gen.objective=transport")).gen());
        assertEquals(sit, ConfigLoader.load(GenConfig.class, null, List.of("gen.objective=transport", "gen.model=SiT-S")).gen());
        Path f = yaml(dir, "gen:\n  model: SiT-S\n");
        assertEquals(sit, ConfigLoader.load(GenConfig.class, f, List.of("gen.objective=transport")).gen());
        // an intermediate state that the record would refuse is never built
        assertEquals("DiT-S", ConfigLoader.load(GenConfig.class, f, List.of("gen.model=DiT-S")).gen().model());
    }

    @Test
    void aRecordsOwnCheckNamesTheSourcesOfTheKeysItMentions(@TempDir Path dir) throws IOException {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(GenConfig.class, null, List.of("gen.model=SiT-S")));
        assertMentions(e, "invalid Gen (key gen): model SiT-S does not train with objective diffusion",
                "gen.model from --set gen.model=SiT-S", "gen.objective from the defaults");
        Path f = yaml(dir, "gen:\n  objective: transport\n");
        assertMentions(assertThrows(ConfigException.class, () -> ConfigLoader.load(GenConfig.class, f, List.of())),
                "gen.objective from file " + f, "gen.model from the defaults");
    }

    @Test
    void yamlErrorsNameTheFile(@TempDir Path dir) throws IOException {
        Path tag = yaml(dir, "name: !!java.io.File /etc/passwd\n");
        assertMentions(error(tag), "cannot parse YAML in file " + tag);
        Path python = yaml(dir, "name: !!python/object/apply:os.system [ls]\n");
        assertMentions(error(python), "cannot parse YAML in file " + python);
        Path broken = yaml(dir, "train: {lr: [\n");
        assertMentions(error(broken), "cannot parse YAML in file " + broken);
        assertMentions(error(null, "model.depths=[1, [2"), "cannot parse YAML in the value of model.depths",
                "--set model.depths=[1, [2");
    }

    record NoDefaults(int x) {
    }

    @Test
    void recordWithoutDefaultsIsExplained() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(NoDefaults.class, null, List.of()));
        assertMentions(e, "needs a public static NoDefaults defaults() method");
    }
}
