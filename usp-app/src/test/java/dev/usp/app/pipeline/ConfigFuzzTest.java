package dev.usp.app.pipeline;

import dev.usp.core.config.ConfigLoader;
import dev.usp.core.testing.MutationFuzzer;
import dev.usp.train.cls.FinetuneConfig;
import dev.usp.train.cls.LinprobeConfig;
import dev.usp.train.dit.GeneratorTrainConfig;
import dev.usp.train.pretrain.PretrainConfig;
import dev.usp.train.vae.VaeTrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the YAML config loader with mutants of the shipped configs, each loaded as its own
 * record type, with YAML's dangerous corners (anchors, aliases, tags, deep nesting, non-finite
 * numbers) among the mutations: every input loads or is refused with the loader's own
 * IllegalArgumentException (ConfigException) naming the file. The budget is split over the configs.
 */
class ConfigFuzzTest {

    private static final Logger LOG = LoggerFactory.getLogger(ConfigFuzzTest.class);
    private static final List<String> TOKENS = List.of("&a [*a, *a]", "*a", "!!java.io.File", "!!binary",
            "!!python/object:os.system", "[[[[[[[[[[[[[[[[", "{{{{{{{{", ".inf", "-.inf", ".nan", "1e400",
            "99999999999999999999", "<<: *a", "? [a]", "\n  - ", ": ", "\t", "'", "\"", "~", "null", "---\n", "%YAML 1.2\n");

    @Test
    void configLoaderOnlyLoadsOrRefuses(@TempDir Path dir) throws IOException {
        Map<String, Class<? extends Record>> configs = new LinkedHashMap<>();
        configs.put("fmnist/quickstart.yaml", QuickstartConfig.class);
        configs.put("fmnist/vae.yaml", VaeTrainConfig.class);
        configs.put("fmnist/pretrain.yaml", PretrainConfig.class);
        configs.put("fmnist/sit.yaml", GeneratorTrainConfig.class);
        configs.put("fmnist/finetune.yaml", FinetuneConfig.class);
        configs.put("fmnist/linprobe.yaml", LinprobeConfig.class);
        configs.put("imagenet/dit-xl.yaml", GeneratorTrainConfig.class);
        List<String> findings = new ArrayList<>();
        long seed = 5;
        for (Map.Entry<String, Class<? extends Record>> c : configs.entrySet()) {
            byte[] yaml = Files.readAllBytes(Path.of("..", "configs").resolve(c.getKey()));
            Class<? extends Record> type = c.getValue();
            MutationFuzzer fuzzer = new MutationFuzzer("config", List.of(yaml), List.of(IllegalArgumentException.class), dir)
                    .withTokens(TOKENS);
            MutationFuzzer.Outcome outcome = fuzzer.run(file -> ConfigLoader.load(type, file, List.of()),
                    MutationFuzzer.regressions(ConfigFuzzTest.class, "config/" + type.getSimpleName()), seed++,
                    MutationFuzzer.budgetSeconds() / configs.size());
            LOG.info("fuzz {} as {}: {}", c.getKey(), type.getSimpleName(), outcome);
            findings.addAll(outcome.findings());
        }
        assertTrue(findings.isEmpty(), String.join("\n", findings));
    }
}
