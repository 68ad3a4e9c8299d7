package dev.usp.train.dit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.usp.models.dit.DiT;
import dev.usp.models.generation.GaussianDiffusion;
import dev.usp.models.generation.Transport;

import java.util.Map;

/**
 * A generator's training objective in two halves, so that it runs data parallel: {@link #draw}
 * makes the step's random inputs on the caller's thread (timesteps and noise, from the engine RNG
 * the training loop reseeds every step), and {@link #loss} computes a shard's mean loss from its
 * slice of (latents, labels, random inputs). Label dropout stays inside the model.
 */
interface Objective {

    /** A shard's mean loss (a scalar to backpropagate) and its per-part means (not differentiated). */
    record Loss(NDArray loss, Map<String, NDArray> extras) {
    }

    /** The step's random inputs for latents x (N, C, H, W), each with N rows, in {@code m}. */
    NDList draw(NDArray x, NDManager m);

    /** The mean loss of a shard: x (n, C, H, W), y (n), then the shard of {@link #draw}'s arrays. */
    Loss loss(DiT model, NDList shard);

    /** DiT: t uniform over the (respaced) steps, epsilon MSE plus the variational-bound term. */
    static Objective diffusion(String respacing) {
        GaussianDiffusion gd = GaussianDiffusion.create(respacing);
        return new Objective() {
            @Override
            public NDList draw(NDArray x, NDManager m) {
                NDArray t = gd.sampleTimesteps(m, x.getShape().get(0));
                return new NDList(t, m.randomNormal(0f, 1f, x.getShape(), x.getDataType()));
            }

            @Override
            public Loss loss(DiT model, NDList s) {
                GaussianDiffusion.Losses l = gd.trainingLosses(model::forward, s.get(0), s.get(2), s.get(1), s.get(3));
                return new Loss(l.loss().mean(), Map.of("mse", l.mse().mean(), "vb", l.vb().mean()));
            }
        };
    }

    /** SiT: t ~ U[0, 1), x_t = t x1 + (1 - t) x0, velocity MSE. */
    static Objective transport() {
        return new Objective() {
            @Override
            public NDList draw(NDArray x, NDManager m) {
                NDArray t = Transport.sampleTimes(m, x.getShape().get(0), x.getDataType());
                return new NDList(t, m.randomNormal(0f, 1f, x.getShape(), x.getDataType()));
            }

            @Override
            public Loss loss(DiT model, NDList s) {
                NDArray l = Transport.trainingLosses(model::forward, s.get(0), s.get(1), s.get(2), s.get(3)).loss();
                return new Loss(l.mean(), Map.of());
            }
        };
    }
}
