package dev.usp.models.generation;

import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTModels;
import dev.usp.models.sit.SiT;
import dev.usp.models.sit.SiTModels;
import ai.djl.ndarray.NDManager;

import java.util.Map;

/**
 * The shape of a generator to sample from: a {@link DiTModels} name and the values a training
 * config may change (classes, latent size and channels). Official checkpoints: DiT-XL/2 (or
 * the name given), 1000 classes, 32x32x4 latents.
 *
 * @param model e.g. {@code DiT-XL/2}, {@code SiT-XL/2-VAE-simple}
 * @param numClasses real classes; the label table has one more row (the null class)
 * @param latentSize latent side
 * @param latentChannels latent channels
 * @param classDropout the training label dropout; > 0 means the label table has the null-class row
 */
public record GeneratorSpec(String model, int numClasses, int latentSize, int latentChannels, double classDropout) {

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

    /**
     * The spec in a run's resolved config (the {@code config} metadata of this project's
     * checkpoints): keys {@code model}, {@code num_classes}, {@code latent_size}, {@code latent_channels}.
     *
     * @throws IllegalArgumentException naming the missing or non-numeric key, or a model and
     *     objective that do not go together
     */
    public static GeneratorSpec fromRunConfig(Map<String, Object> config) {
        for (String k : new String[] {"model", "num_classes", "latent_size", "latent_channels"}) {
            if (!config.containsKey(k)) {
                throw new IllegalArgumentException("the checkpoint's config has no '" + k + "' (not a DiT/SiT run?)");
            }
        }
        Object objective = config.get("objective");
        boolean sit = DiTModels.isSiT(String.valueOf(config.get("model")));
        if (objective != null && !String.valueOf(objective).equals(sit ? "transport" : "diffusion")) {
            throw new IllegalArgumentException("the checkpoint's config records model " + config.get("model")
                    + " with objective " + objective + ", but a " + (sit ? "SiT trains with transport"
                    : "DiT trains with diffusion"));
        }
        return new GeneratorSpec(String.valueOf(config.get("model")), number(config, "num_classes").intValue(),
                number(config, "latent_size").intValue(), number(config, "latent_channels").intValue(),
                config.containsKey("class_dropout") ? number(config, "class_dropout").doubleValue() : 0.1);
    }

    private static Number number(Map<String, Object> config, String key) {
        if (!(config.get(key) instanceof Number n)) {
            throw new IllegalArgumentException("the checkpoint's config '" + key + "' is not a number: " + config.get(key));
        }
        return n;
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
        return model + " (" + (isSiT() ? "transport" : "diffusion") + ", " + numClasses + " classes, " + latentSize
                + "x" + latentSize + "x" + latentChannels + " latents)";
    }

    /** True for a SiT. */
    public boolean isSiT() {
        return DiTModels.isSiT(model);
    }

    /** Builds the network (eval mode) in {@code manager}; its weights are then loaded by the caller. */
    public DiT build(NDManager manager) {
        DiT net = SiTModels.generator(manager, model, latentSize, latentChannels, numClasses, classDropout);
        net.eval();
        return net;
    }
}
