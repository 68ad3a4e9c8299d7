package dev.usp.eval.sample;

import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.SafeTensorsHeader;
import dev.usp.core.weights.StateDict;
import dev.usp.core.weights.WeightFiles;
import dev.usp.models.dit.DiT;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads a DiT/SiT for sampling from this project's training checkpoints (EMA weights by
 * default; the model shape comes from the checkpoint's config) or from official PyTorch files
 * ({@code .pt} with {@code ema}/{@code model} entries, or a bare state dict; the shape must then
 * be given).
 */
public final class GeneratorLoader {

    /** A loaded network and where its weights came from. */
    public record Loaded(DiT model, GeneratorSpec spec, String entry) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(GeneratorLoader.class);

    private GeneratorLoader() {
    }

    /**
     * Loads {@code file} strictly into a network of {@code specOrNull} (or the checkpoint's own spec).
     *
     * @param key the entry to load ({@code ema}, {@code model}), or null for the first of {@code ema},
     *     {@code model}, the whole file that exists
     * @throws IllegalArgumentException when no spec is given or found, or the weights do not fit
     */
    public static Loaded load(Path file, GeneratorSpec specOrNull, String key, NDManager manager) throws IOException {
        GeneratorSpec spec = specOrNull != null ? specOrNull : specOf(file);
        if (spec == null) {
            throw new IllegalArgumentException(file + " holds no run config: give the model (e.g. --model DiT-XL/2)");
        }
        DiT model = spec.build(manager.newSubManager());
        List<String> entries = key != null ? List.of(key) : List.of("ema", "model", "");
        IllegalArgumentException last = null;
        for (String entry : entries) {
            try (NDManager scope = manager.newSubManager();
                 StateDict sd = WeightFiles.readStateDict(file, entry.isEmpty() ? null : entry, scope)) {
                model.loadStateDict(sd, true);
                LOG.info("loaded {} from {} [{}]", spec.model(), file, entry.isEmpty() ? "whole file" : entry);
                return new Loaded(model, spec, entry);
            } catch (IllegalArgumentException e) {
                last = e;
            }
        }
        model.close();
        throw new IllegalArgumentException("cannot load " + spec.model() + " from " + file + ": " + last.getMessage(),
                last);
    }

    /** The spec in the {@code config} metadata of one of this project's checkpoints, or null. */
    @SuppressWarnings("unchecked")
    public static GeneratorSpec specOf(Path file) throws IOException {
        if (WeightFiles.detect(file) != WeightFiles.Format.SAFETENSORS) {
            return null;
        }
        SafeTensorsHeader header = SafeTensors.readHeader(file);
        String text = header.metadata().get("config");
        if (text == null || text.isBlank()) {
            return null;
        }
        Object parsed = new Yaml().load(text);
        return parsed instanceof Map ? GeneratorSpec.fromRunConfig((Map<String, Object>) parsed) : null;
    }
}
