package dev.usp.train.dit;

import ai.djl.ndarray.NDArray;
import dev.usp.models.dit.DiT;
import dev.usp.train.diffusion.GaussianDiffusion;
import dev.usp.train.transport.Transport;

import java.util.Map;

/** A generator's training objective: the scalar loss of one batch, with per-part means to log. */
interface Objective {

    /** The batch loss (a scalar to backpropagate) and extra scalars (not differentiated). */
    record Loss(NDArray loss, Map<String, NDArray> extras) {
    }

    /**
     * The loss of latents x (N, C, H, W) with labels y (N); all randomness (timesteps, noise, label
     * dropout) comes from the engine RNG, which the training loop reseeds every step.
     */
    Loss loss(DiT model, NDArray x, NDArray y);

    /** DiT: t uniform over the (respaced) steps, epsilon MSE plus the variational-bound term. */
    static Objective diffusion(String respacing) {
        GaussianDiffusion gd = GaussianDiffusion.create(respacing);
        return (model, x, y) -> {
            NDArray t = gd.sampleTimesteps(x.getManager(), x.getShape().get(0));
            GaussianDiffusion.Losses l = gd.trainingLosses(model::forward, x, t, y, null);
            return new Loss(l.loss().mean(), Map.of("mse", l.mse().mean(), "vb", l.vb().mean()));
        };
    }

    /** SiT: t ~ U[0, 1), x_t = t x1 + (1 - t) x0, velocity MSE. */
    static Objective transport() {
        return (model, x, y) -> new Loss(Transport.trainingLosses(model::forward, x, y, null, null).loss().mean(),
                Map.of());
    }
}
