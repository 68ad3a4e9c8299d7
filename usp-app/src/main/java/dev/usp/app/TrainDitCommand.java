package dev.usp.app;

import picocli.CommandLine.Command;

/** {@code usp train-dit}: DiT fine-tuning on cached latents (Gaussian diffusion, USP's generation/DiT/train.py). */
@Command(name = "train-dit", mixinStandardHelpOptions = true,
        description = "Train a DiT on cached VAE latents (e.g. --config configs/fmnist/dit.yaml).")
public final class TrainDitCommand extends GeneratorTrainCommand {

    @Override
    String objective() {
        return "diffusion";
    }
}
