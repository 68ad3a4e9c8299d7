package dev.usp.eval.sample;

import dev.usp.models.generation.GeneratorSpec;
import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.StateDict;
import dev.usp.models.dit.DiT;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads a DiT/SiT for sampling from this project's training checkpoints (EMA weights by
 * default; the model shape comes from the checkpoint's config) or from official PyTorch files
 * ({@code .pt} with {@code ema}/{@code model} entries, or a bare state dict; the shape must then
 * be given). The file is opened and parsed once; the entry is chosen from the keys it holds.
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
     * @param specOrNull the shape to build; when the checkpoint records its own, the two must agree
     * @param key the entry to load ({@code ema}, {@code model}, "" for the whole file), or null for
     *     the first of {@code ema}, {@code model}, the whole file that the file holds
     * @throws IllegalArgumentException when no spec is given or found, the given spec is not the
     *     recorded one, no entry holds weights, the weights do not fit, or a weight is NaN or infinite
     */
    public static Loaded load(Path file, GeneratorSpec specOrNull, String key, NDManager manager) throws IOException {
        try (GeneratorFile source = GeneratorFile.open(file)) {
            GeneratorSpec spec = resolveSpec(source, specOrNull);
            String entry = key != null ? key : source.chooseEntry();
            String where = entry.isEmpty() ? "whole file" : entry;
            DiT model = spec.build(manager.newSubManager());
            model.eval();
            try (NDManager scope = manager.newSubManager(); StateDict sd = source.read(entry, scope)) {
                FiniteWeights.require(sd);
                model.loadStateDict(sd, true);
            } catch (IllegalArgumentException e) {
                model.close();
                throw new IllegalArgumentException("cannot load " + spec.model() + " from " + file + ", entry "
                        + (entry.isEmpty() ? "the whole file" : "'" + entry + "'") + " (" + (key != null ? "named"
                        : "chosen from " + source.describeCandidates()) + "; keys present: " + source.keys() + "): "
                        + e.getMessage(), e);
            } catch (IOException | RuntimeException e) {
                model.close();
                throw e;
            }
            LOG.info("loaded {} from {} [{}]", spec.model(), file, where);
            return new Loaded(model, spec, entry);
        }
    }

    /** The spec in the {@code config} metadata of one of this project's checkpoints, or null. */
    public static GeneratorSpec specOf(Path file) throws IOException {
        try (GeneratorFile source = GeneratorFile.open(file)) {
            return recordedSpec(source);
        }
    }

    private static GeneratorSpec recordedSpec(GeneratorFile source) {
        Map<String, Object> config = source.recordedConfig();
        if (config == null) {
            return null;
        }
        try {
            return GeneratorSpec.fromRunConfig(config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source.file() + ": " + e.getMessage(), e);
        }
    }

    /** The recorded spec, checked against the asked one; else the asked one. */
    private static GeneratorSpec resolveSpec(GeneratorFile source, GeneratorSpec asked) {
        GeneratorSpec recorded = recordedSpec(source);
        if (recorded == null && asked == null) {
            throw new IllegalArgumentException(source.file() + " holds no run config: give the model (e.g. --model "
                    + "DiT-XL/2)");
        }
        if (recorded != null && asked != null && !recorded.sameNetwork(asked)) {
            throw new IllegalArgumentException(source.file() + " was trained as " + recorded.describe()
                    + " but is to be loaded as " + asked.describe() + "; leave out --model (and --num-classes, "
                    + "--latent-size, --latent-channels) to use the checkpoint's own");
        }
        return recorded != null ? recorded : asked;
    }
}
