package dev.usp.eval.sample;

import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTConfig;
import dev.usp.models.dit.DiTModels;
import dev.usp.models.sit.SiT;
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

    /** Validates the name. */
    public GeneratorSpec {
        DiTModels.config(model);
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
     * @throws IllegalArgumentException naming the missing key
     */
    public static GeneratorSpec fromRunConfig(Map<String, Object> config) {
        for (String k : new String[] {"model", "num_classes", "latent_size", "latent_channels"}) {
            if (!config.containsKey(k)) {
                throw new IllegalArgumentException("the checkpoint's config has no '" + k + "' (not a DiT/SiT run?)");
            }
        }
        Object dropout = config.getOrDefault("class_dropout", 0.1);
        return new GeneratorSpec(String.valueOf(config.get("model")), ((Number) config.get("num_classes")).intValue(),
                ((Number) config.get("latent_size")).intValue(), ((Number) config.get("latent_channels")).intValue(),
                ((Number) dropout).doubleValue());
    }

    /** True for a SiT. */
    public boolean isSiT() {
        return DiTModels.isSiT(model);
    }

    /** Builds the network (eval mode) in {@code manager}; its weights are then loaded by the caller. */
    public DiT build(NDManager manager) {
        DiTConfig c = DiTModels.config(model).withInputSize(latentSize).withInChannels(latentChannels)
                .withNumClasses(numClasses).withClassDropoutProb(classDropout);
        DiT net = isSiT() ? new SiT(manager, c) : new DiT(manager, c);
        net.eval();
        return net;
    }
}
