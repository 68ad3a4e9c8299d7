package dev.usp.app;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.usp.core.config.ConfigLoader;
import dev.usp.eval.fdnet.FdNetConfig;
import dev.usp.app.pipeline.QuickstartConfig;
import dev.usp.train.cls.FinetuneConfig;
import dev.usp.train.cls.LinprobeConfig;
import dev.usp.train.dit.GeneratorTrainConfig;
import dev.usp.train.pretrain.PretrainConfig;
import dev.usp.train.vae.VaeTrainConfig;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared config vocabulary ({@code run:}, {@code optim:}, {@code data:}, {@code seed}) changed
 * keys, not numbers: every shipped config, every quickstart stage and every stage's defaults
 * resolve to the values recorded before the change ({@code resolved-before.txt}, each old key read
 * under its new name), and the YAML files of the release before still load, each to the same
 * record as its new file, with a warning naming the old key, the new key and the file.
 */
class ConfigVocabularyTest {

    private static final Path CONFIGS = Path.of("..", "configs");
    private static final Path FIXTURES = Path.of("src/test/resources/config-vocabulary");
    private static final List<String> STAGE_LISTS = List.of("vae", "fdnet", "pretrain", "generation", "linprobe",
            "finetune");

    // ---- the numbers did not change -----------------------------------------------------------

    @Test
    void everyConfigResolvesToTheValuesRecordedBeforeTheRename() throws IOException {
        Map<String, Map<String, String>> before = new LinkedHashMap<>();
        for (String line : Files.readAllLines(FIXTURES.resolve("resolved-before.txt"))) {
            int sp = line.indexOf(' ');
            int eq = line.indexOf('=', sp);
            before.computeIfAbsent(line.substring(0, sp), k -> new LinkedHashMap<>())
                    .put(line.substring(sp + 1, eq), line.substring(eq + 1));
        }
        assertEquals(25 + 3 * 6 + 6, before.size(), before.keySet().toString());
        int compared = 0;
        for (Map.Entry<String, Map<String, String>> e : before.entrySet()) {
            Record now = resolve(e.getKey());
            Map<String, String> renames = renames(now.getClass());
            Map<String, String> after = flat(now);
            for (Map.Entry<String, String> kv : e.getValue().entrySet()) {
                if (now instanceof QuickstartConfig && STAGE_LISTS.contains(kv.getKey())) {
                    continue;   // --set lists in the new keys; what they resolve to is compared per stage
                }
                String key = renames.getOrDefault(kv.getKey(), kv.getKey());
                assertTrue(after.containsKey(key), e.getKey() + ": " + kv.getKey() + " -> " + key + " is gone");
                assertEquals(kv.getValue(), after.get(key), e.getKey() + ": " + kv.getKey() + " -> " + key);
                compared++;
            }
            assertEquals(oldActualLr(now.getClass(), e.getValue()), actualLr(now), e.getKey() + ": actual lr");
            assertEquals("0", after.get("seed"), e.getKey() + ": seed");
        }
        assertEquals(1346 - 3 * STAGE_LISTS.size(), compared);
    }

    @Test
    void theQuickstartStagesKeepTheOptimiserAndRetentionTheyRanWith() throws IOException {
        // Keys the trainers read now but hard-coded before: their values must be what was hard-coded.
        for (String quickstart : List.of("fmnist/quickstart.yaml", "fmnist/quickstart-quick.yaml",
                "fmnist/quickstart-patch1.yaml")) {
            Map<String, String> gen = flat(resolve(quickstart + ":generation"));
            Map<String, String> ft = flat(resolve(quickstart + ":finetune"));
            Map<String, String> fd = flat(resolve(quickstart + ":fdnet"));
            Map<String, String> vae = flat(resolve(quickstart + ":vae"));
            for (Map<String, String> m : List.of(gen, ft, fd)) {
                assertEquals("0.9", m.get("optim.beta1"), quickstart);
                assertEquals("0.999", m.get("optim.beta2"), quickstart);
            }
            assertEquals("0.0", fd.get("optim.min_lr"), quickstart);
            assertEquals("2", gen.get("run.keep_last"), quickstart);     // TrainingLoop's default before
            assertEquals("2", vae.get("run.keep_last"), quickstart);
        }
    }

    // ---- the keys of the release before still load, with a warning ---------------------------

    @Test
    void anOldVaeYamlLoadsToTheSameRecordAndWarns() {
        assertOldFileLoads(VaeTrainConfig.class, "vae.yaml", "run_root", "run.dir");
    }

    @Test
    void anOldPretrainYamlLoadsToTheSameRecordAndWarns() {
        assertOldFileLoads(PretrainConfig.class, "pretrain.yaml", "data.cache", "data.train");
        assertOldFileLoads(PretrainConfig.class, "pretrain-images.yaml", "data.vae", "vae");
    }

    @Test
    void oldGeneratorYamlsLoadToTheSameRecordAndWarn() {
        assertOldFileLoads(GeneratorTrainConfig.class, "dit.yaml", "latent_cache", "data.train");
        assertOldFileLoads(GeneratorTrainConfig.class, "sit.yaml", "run_name", "run.name");
    }

    @Test
    void oldClassifierYamlsLoadToTheSameRecordAndWarn() {
        assertOldFileLoads(FinetuneConfig.class, "finetune.yaml", "run.runs_dir", "run.dir");
        assertOldFileLoads(LinprobeConfig.class, "linprobe.yaml", "data.train_cache", "data.train");
    }

    @Test
    void oldFdnetKeysLoadToTheSameRecordAndWarn() {
        List<String> warnings = new ArrayList<>();
        FdNetConfig old = capture(warnings, () -> ConfigLoader.load(FdNetConfig.class, null,
                List.of("lr=1e-3", "train_limit=3000", "warmup_epochs=0.5", "weight_decay=0")));
        FdNetConfig now = ConfigLoader.load(FdNetConfig.class, null,
                List.of("optim.lr=1e-3", "data.limit=3000", "optim.warmup_epochs=0.5", "optim.weight_decay=0"));
        assertEquals(now, old);
        assertEquals(4, warnings.size(), warnings.toString());
        assertTrue(warnings.get(1).contains("'train_limit'") && warnings.get(1).contains("'data.limit'")
                && warnings.get(1).contains("--set train_limit=3000"), warnings.get(1));
    }

    @Test
    void theOldQuickstartListsGiveTheSameStageConfigs() {
        QuickstartConfig old = ConfigLoader.load(QuickstartConfig.class, FIXTURES.resolve("old/quickstart.yaml"), null);
        QuickstartConfig now = ConfigLoader.load(QuickstartConfig.class, CONFIGS.resolve("fmnist/quickstart.yaml"), null);
        assertFalse(old.vae().equals(now.vae()), "the fixture holds the old keys");
        List<String> warnings = new ArrayList<>();
        Path c = CONFIGS.resolve("fmnist");
        assertEquals(ConfigLoader.load(VaeTrainConfig.class, c.resolve("vae.yaml"), now.vae()),
                capture(warnings, () -> ConfigLoader.load(VaeTrainConfig.class, c.resolve("vae.yaml"), old.vae())));
        assertEquals(ConfigLoader.load(PretrainConfig.class, c.resolve("pretrain.yaml"), now.pretrain()),
                capture(warnings, () -> ConfigLoader.load(PretrainConfig.class, c.resolve("pretrain.yaml"), old.pretrain())));
        assertEquals(ConfigLoader.load(GeneratorTrainConfig.class, c.resolve("sit.yaml"), now.generation()),
                capture(warnings, () -> ConfigLoader.load(GeneratorTrainConfig.class, c.resolve("sit.yaml"),
                        old.generation())));
        assertEquals(ConfigLoader.load(LinprobeConfig.class, c.resolve("linprobe.yaml"), now.linprobe()),
                capture(warnings, () -> ConfigLoader.load(LinprobeConfig.class, c.resolve("linprobe.yaml"), old.linprobe())));
        assertEquals(ConfigLoader.load(FinetuneConfig.class, c.resolve("finetune.yaml"), now.finetune()),
                capture(warnings, () -> ConfigLoader.load(FinetuneConfig.class, c.resolve("finetune.yaml"), old.finetune())));
        // vae: test_limit, checkpoint_every; pretrain, linprobe, finetune: optim.epochs; generation: lr,
        // checkpoint_every, log_every
        assertEquals(2 + 1 + 3 + 1 + 1, warnings.size(), warnings.toString());
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static <R extends Record> void assertOldFileLoads(Class<R> type, String file, String oldKey, String newKey) {
        List<String> warnings = new ArrayList<>();
        Path oldFile = FIXTURES.resolve("old").resolve(file);
        R old = capture(warnings, () -> ConfigLoader.load(type, oldFile, null));
        assertEquals(ConfigLoader.load(type, CONFIGS.resolve("fmnist").resolve(file), null), old, file);
        String expected = "file " + oldFile + ": config key '" + oldKey + "' is deprecated, use '" + newKey + "'";
        assertTrue(warnings.stream().anyMatch(w -> w.startsWith(expected)), expected + " in " + warnings);
    }

    /** Runs {@code load}, adding the config loader's warnings to {@code warnings}. */
    private static <T> T capture(List<String> warnings, Supplier<T> load) {
        Logger logger = (Logger) LoggerFactory.getLogger(ConfigLoader.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            return load.get();
        } finally {
            logger.detachAppender(appender);
            warnings.addAll(appender.list.stream().map(ILoggingEvent::getFormattedMessage).collect(Collectors.toList()));
        }
    }

    /** The config a label of resolved-before.txt names, loaded as the pipeline and the CLI load it. */
    private static Record resolve(String label) {
        if (label.startsWith("defaults:")) {
            return ConfigLoader.defaults(byName(label.substring("defaults:".length())));
        }
        int colon = label.indexOf(':');
        String file = colon < 0 ? label : label.substring(0, colon);
        Class<? extends Record> type = typeOf(Path.of(file).getFileName().toString());
        Record r = ConfigLoader.load(type, CONFIGS.resolve(file), null);
        if (colon < 0) {
            return r;
        }
        QuickstartConfig q = (QuickstartConfig) r;
        Path c = CONFIGS.resolve("fmnist");
        return switch (label.substring(colon + 1)) {
            case "vae" -> ConfigLoader.load(VaeTrainConfig.class, c.resolve("vae.yaml"), q.vae());
            case "fdnet" -> ConfigLoader.load(FdNetConfig.class, null, q.fdnet());
            case "pretrain" -> ConfigLoader.load(PretrainConfig.class, c.resolve("pretrain.yaml"), q.pretrain());
            case "generation" -> ConfigLoader.load(GeneratorTrainConfig.class, c.resolve(q.generator() + ".yaml"),
                    q.generation());
            case "linprobe" -> ConfigLoader.load(LinprobeConfig.class, c.resolve("linprobe.yaml"), q.linprobe());
            case "finetune" -> ConfigLoader.load(FinetuneConfig.class, c.resolve("finetune.yaml"), q.finetune());
            default -> throw new IllegalArgumentException(label);
        };
    }

    private static Class<? extends Record> typeOf(String name) {
        if (name.startsWith("vae")) {
            return VaeTrainConfig.class;
        }
        if (name.startsWith("pretrain")) {
            return PretrainConfig.class;
        }
        if (name.startsWith("dit") || name.startsWith("sit")) {
            return GeneratorTrainConfig.class;
        }
        if (name.startsWith("finetune")) {
            return FinetuneConfig.class;
        }
        if (name.startsWith("linprobe")) {
            return LinprobeConfig.class;
        }
        return QuickstartConfig.class;
    }

    private static Class<? extends Record> byName(String simpleName) {
        for (Class<? extends Record> t : List.of(VaeTrainConfig.class, PretrainConfig.class, GeneratorTrainConfig.class,
                FinetuneConfig.class, LinprobeConfig.class, FdNetConfig.class)) {
            if (t.getSimpleName().equals(simpleName)) {
                return t;
            }
        }
        throw new IllegalArgumentException(simpleName);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> renames(Class<?> type) {
        try {
            return (Map<String, String>) type.getMethod("renamedKeys").invoke(null);
        } catch (NoSuchMethodException e) {
            return Map.of();
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new AssertionError(e);
        }
    }

    /** Dotted key to value text, as resolved-before.txt spells them. */
    private static Map<String, String> flat(Record r) {
        Map<String, String> out = new LinkedHashMap<>();
        flat("", ConfigLoader.toMap(r), out);
        return out;
    }

    private static void flat(String prefix, Object v, Map<String, String> out) {
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                flat(prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            out.put(prefix, String.valueOf(v));
        }
    }

    /** The peak learning rate each trainer computed before, from the recorded values. */
    private static double oldActualLr(Class<?> type, Map<String, String> v) {
        if (type == PretrainConfig.class) {
            double lr = Double.parseDouble(v.get("optim.lr"));
            long batch = Long.parseLong(v.get("optim.batch_size")) * Long.parseLong(v.get("optim.accum_iter"));
            return lr > 0 ? lr : Double.parseDouble(v.get("optim.blr")) * batch / 256;
        }
        if (type == FinetuneConfig.class || type == LinprobeConfig.class) {
            double lr = Double.parseDouble(v.get("optim.lr"));
            int batch = Integer.parseInt(v.get("optim.batch_size")) * Integer.parseInt(v.get("optim.accum_iter"));
            return lr > 0 ? lr : Double.parseDouble(v.get("optim.blr")) * batch / 256.0;
        }
        if (type == QuickstartConfig.class) {
            return Double.NaN;
        }
        return Double.parseDouble(v.get("lr"));
    }

    private static double actualLr(Record r) {
        if (r instanceof PretrainConfig c) {
            return c.optim().actualLr(c.effectiveBatch());
        }
        if (r instanceof FinetuneConfig c) {
            return c.schedule().actualLr();
        }
        if (r instanceof LinprobeConfig c) {
            return c.schedule().actualLr();
        }
        if (r instanceof VaeTrainConfig c) {
            return c.peakLr();
        }
        if (r instanceof GeneratorTrainConfig c) {
            return c.learningRate();
        }
        if (r instanceof FdNetConfig c) {
            return c.peakLr();
        }
        return Double.NaN;
    }
}
