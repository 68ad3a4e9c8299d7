package dev.usp.app;

import picocli.CommandLine.Command;

/** {@code usp train-sit}: SiT fine-tuning on cached latents (linear transport, USP's generation/SiT/train.py). */
@Command(name = "train-sit", mixinStandardHelpOptions = true,
        description = "Train a SiT on cached VAE latents (e.g. --config configs/fmnist/sit.yaml).")
public final class TrainSitCommand extends GeneratorTrainCommand {

    @Override
    String objective() {
        return "transport";
    }
}
