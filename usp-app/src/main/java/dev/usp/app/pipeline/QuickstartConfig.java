package dev.usp.app.pipeline;

import dev.usp.core.config.Range;

import java.nio.file.Path;
import java.util.List;

/**
 * The end-to-end Fashion-MNIST pipeline: which stage configs it starts from
 * ({@code configs/fmnist/*.yaml}) and the {@code --set}-style overrides it applies to each, so that
 * one YAML file ({@code configs/fmnist/quickstart.yaml}, or {@code quickstart-quick.yaml}) sizes
 * the whole run.
 *
 * @param configs folder holding vae.yaml, pretrain.yaml, dit.yaml (or sit.yaml), linprobe.yaml, finetune.yaml
 * @param generator {@code dit} or {@code sit}: which generation config the comparison trains
 * @param encodeTrainLimit training images encoded into the latent cache (0: all 60,000)
 * @param encodeTestLimit test images encoded (0: all 10,000)
 * @param fdSamples generated images per FD-FMNIST evaluation
 * @param fdSampleSteps sampler steps per FD evaluation (DDIM respacing, eta 0, or Heun ODE grid)
 * @param reuseVae a trained VAE file to use instead of training one, or null
 * @param reuseFdnet trained FD-FMNIST net weights to use instead of training them, or null
 * @param reusePretrain a USP pretraining checkpoint to use instead of pretraining, or null
 * @param seed the run seed, given to every stage as its {@code seed} key
 */
public record QuickstartConfig(
        Path configs,
        String generator,
        @Range(min = 0) int encodeTrainLimit,
        @Range(min = 0) int encodeTestLimit,
        @Range(min = 10) int fdSamples,
        @Range(min = 1) int fdSampleSteps,
        Path reuseVae,
        Path reuseFdnet,
        Path reusePretrain,
        List<String> vae,
        List<String> fdnet,
        List<String> pretrain,
        List<String> generation,
        List<String> linprobe,
        List<String> finetune,
        long seed) {

    /** Refuses a generator other than {@code dit} or {@code sit}. */
    public QuickstartConfig {
        if (!"dit".equals(generator) && !"sit".equals(generator)) {
            throw new IllegalArgumentException("generator: expected dit or sit, got '" + generator + "'");
        }
    }

    /** The stage configs as they are, everything encoded, 1000 samples of 50 steps per FD point. */
    public static QuickstartConfig defaults() {
        return new QuickstartConfig(Path.of("configs/fmnist"), "sit", 0, 0, 1000, 50, null, null, null,
                List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), 0);
    }
}
