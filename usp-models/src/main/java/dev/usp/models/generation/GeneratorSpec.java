package dev.usp.models.generation;

import ai.djl.ndarray.NDManager;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.config.ConfigException;
import dev.usp.core.config.Range;
import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTModels;
import dev.usp.models.sit.SiTModels;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a generator is: a {@link DiTModels} name (which fixes its {@link GeneratorFamily}, hence
 * objective and samplers) and the values a training config may change (classes, latent size and
 * channels, label dropout). Training builds its network from it, {@code usp sample} checks a
 * checkpoint against it, and it is read back from the run config a checkpoint records through
 * {@link ConfigLoader#fromMap}. Official checkpoints: DiT-XL/2 (or the name given), 1000 classes,
 * 32x32x4 latents.
 *
 * @param model e.g. {@code DiT-XL/2}, {@code SiT-XL/2-VAE-simple}
 * @param numClasses real classes; the label table has one more row (the null class)
 * @param latentSize latent side
 * @param latentChannels latent channels
 * @param classDropout the training label dropout; > 0 means the label table has the null-class row
 */
public record GeneratorSpec(
        String model,
        int numClasses,
        int latentSize,
        int latentChannels,
        @Range(min = 0, max = 0.999) double classDropout) {

    /** The run-config keys a spec is read from, in order. */
    public static final List<String> KEYS = List.of("model", "num_classes", "latent_size", "latent_channels",
            "class_dropout");

    /** Largest latent side accepted (a 4096px image through an 8x VAE): bounds the position table. */
    public static final int MAX_LATENT_SIZE = 512;
    /** Most classes accepted: bounds the label table. */
    public static final int MAX_CLASSES = 100_000;
    /** Most latent channels accepted. */
    public static final int MAX_LATENT_CHANNELS = 64;

    /** Validates the name, and the sizes against their bounds (a checkpoint's metadata may be anything). */
    public GeneratorSpec {
        DiTModels.config(model);
        check("num_classes", numClasses, MAX_CLASSES);
        check("latent_size", latentSize, MAX_LATENT_SIZE);
        check("latent_channels", latentChannels, MAX_LATENT_CHANNELS);
        if (!(classDropout >= 0 && classDropout < 1)) {
            throw new IllegalArgumentException("class_dropout " + classDropout + " is outside [0, 1)");
        }
    }

    /** A spec with the official label dropout 0.1 (so the null class exists for guidance). */
    public GeneratorSpec(String model, int numClasses, int latentSize, int latentChannels) {
        this(model, numClasses, latentSize, latentChannels, 0.1);
    }

    /** The official ImageNet-256 shape of a named model. */
    public static GeneratorSpec official(String model) {
        return new GeneratorSpec(model, 1000, 32, 4);
    }

    /** DiT-XL/2 on ImageNet-256 latents (the config loader's starting point). */
    public static GeneratorSpec defaults() {
        return official("DiT-XL/2");
    }

    /**
     * The spec in a run's resolved config (the {@code config} metadata of this project's
     * checkpoints), read through the config loader: keys {@link #KEYS}, of which all but
     * {@code class_dropout} (default 0.1, from {@link #defaults()}) must be present; a recorded {@code objective} must fit the model.
     *
     * @throws IllegalArgumentException naming the missing or bad key, or a model and objective
     *     that do not go together
     */
    public static GeneratorSpec fromRunConfig(Map<String, Object> config) {
        Map<String, Object> picked = new LinkedHashMap<>();
        for (String k : KEYS) {
            if (config.containsKey(k)) {
                picked.put(k, config.get(k));
            } else if (!k.equals("class_dropout")) {
                throw new IllegalArgumentException("the checkpoint's config has no '" + k + "' (not a DiT/SiT run?)");
            }
        }
        GeneratorSpec spec;
        try {
            spec = ConfigLoader.fromMap(GeneratorSpec.class, picked, "the checkpoint's config");
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Object objective = config.get("objective");
        if (objective != null) {
            GeneratorFamily.checkObjective(spec.model(), String.valueOf(objective));
        }
        return spec;
    }

    private static void check(String key, int value, int max) {
        if (value < 1 || value > max) {
            throw new IllegalArgumentException(key + " " + value + " is outside 1.." + max);
        }
    }

    /** True when both build the same network: model name, classes and latent shape (label dropout aside). */
    public boolean sameNetwork(GeneratorSpec other) {
        return model.equals(other.model) && numClasses == other.numClasses && latentSize == other.latentSize
                && latentChannels == other.latentChannels;
    }

    /** For messages: {@code SiT-M/2-VAE-simple (transport, 10 classes, 8x8x4 latents)}. */
    public String describe() {
        return model + " (" + family().objective() + ", " + numClasses + " classes, " + latentSize
                + "x" + latentSize + "x" + latentChannels + " latents)";
    }

    /** DiT or SiT, from the model name. */
    public GeneratorFamily family() {
        return GeneratorFamily.of(model);
    }

    /**
     * Builds the network in {@code manager}, freshly initialised and in training mode (a sampler
     * loads its weights and calls {@code eval()}).
     */
    public DiT build(NDManager manager) {
        return SiTModels.generator(manager, model, latentSize, latentChannels, numClasses, classDropout);
    }
}
