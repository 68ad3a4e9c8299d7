package dev.usp.train.dit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.models.dit.DiT;
import dev.usp.models.generation.GaussianDiffusion;
import dev.usp.models.generation.Transport;

import java.util.Map;

/**
 * A generator's training objective in two halves, so that it runs data parallel: {@link #draw}
 * makes the step's random inputs on the caller's thread for the whole (global) batch (timesteps,
 * noise, and the label dropout where the model would draw it, all from the engine RNG the
 * training loop reseeds every step), and {@link #loss} computes a shard's mean loss from its
 * slice of (latents, labels, random inputs), whichever replica or process holds it.
 */
interface Objective {

    /** A shard's mean loss (a scalar to backpropagate) and its per-part means (not differentiated). */
    record Loss(NDArray loss, Map<String, NDArray> extras) {
    }

    /** The step's random inputs for latents x (N, C, H, W), each with N rows, in {@code m}. */
    NDList draw(NDArray x, NDManager m);

    /**
     * Appends to {@code drawn} the labels to drop, (N) int64 with 1 where the label becomes the null
     * class, drawn as DiT's {@code token_drop} draws them (U[0, 1) < p), when {@code p > 0}.
     */
    static NDList withLabelDrop(NDList drawn, double p, long n, NDManager m) {
        if (p > 0) {
            drawn.add(m.randomUniform(0f, 1f, new Shape(n)).lt(p).toType(DataType.INT64, false));
        }
        return drawn;
    }

    /** The shard's labels to drop (its 5th array), or null when the objective drew none. */
    static NDArray labelDrop(NDList shard) {
        return shard.size() > 4 ? shard.get(4) : null;
    }

    /** The mean loss of a shard: x (n, C, H, W), y (n), then the shard of {@link #draw}'s arrays. */
    Loss loss(DiT model, NDList shard);

    /** DiT: t uniform over the (respaced) steps, epsilon MSE plus the variational-bound term. */
    static Objective diffusion(String respacing, double labelDropout) {
        GaussianDiffusion gd = GaussianDiffusion.create(respacing);
        return new Objective() {
            @Override
            public NDList draw(NDArray x, NDManager m) {
                NDArray t = gd.sampleTimesteps(m, x.getShape().get(0));
                return withLabelDrop(new NDList(t, m.randomNormal(0f, 1f, x.getShape(), x.getDataType())),
                        labelDropout, x.getShape().get(0), m);
            }

            @Override
            public Loss loss(DiT model, NDList s) {
                GaussianDiffusion.Losses l = gd.trainingLosses((x, t, y) -> model.forward(x, t, y, labelDrop(s)), s.get(0), s.get(2), s.get(1), s.get(3));
                return new Loss(l.loss().mean(), Map.of("mse", l.mse().mean(), "vb", l.vb().mean()));
            }
        };
    }

    /** SiT: t ~ U[0, 1), x_t = t x1 + (1 - t) x0, velocity MSE. */
    static Objective transport(double labelDropout) {
        return new Objective() {
            @Override
            public NDList draw(NDArray x, NDManager m) {
                NDArray t = Transport.sampleTimes(m, x.getShape().get(0), x.getDataType());
                return withLabelDrop(new NDList(t, m.randomNormal(0f, 1f, x.getShape(), x.getDataType())),
                        labelDropout, x.getShape().get(0), m);
            }

            @Override
            public Loss loss(DiT model, NDList s) {
                NDArray l = Transport.trainingLosses((x, t, y) -> model.forward(x, t, y, labelDrop(s)), s.get(0), s.get(1), s.get(2), s.get(3)).loss();
                return new Loss(l.mean(), Map.of());
            }
        };
    }
}
