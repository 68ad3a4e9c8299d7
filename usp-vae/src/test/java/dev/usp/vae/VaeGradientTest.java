package dev.usp.vae;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.usp.core.weights.StateDict;
import dev.usp.vae.weights.VaeWeights;
import org.junit.jupiter.api.Test;

import java.io.IOException;

/** Gradients of a reconstruction + KL loss equal PyTorch's, so the VAE can be trained. */
class VaeGradientTest {

    @Test
    void gradientsMatchPyTorch() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             StateDict weights = Fixtures.read("tiny", "ldm_prefixed", m);
             StateDict io = Fixtures.read("tiny", "io", m);
             StateDict grads = Fixtures.read("tiny", "grads", m);
             AutoencoderKL vae = VaeWeights.load(weights, Fixtures.TINY, m);
             NDManager step = vae.manager().newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray x = io.get("x").duplicate();
            x.attach(step);
            NDArray noise = io.get("noise").duplicate();
            noise.attach(step);
            DiagonalGaussian post = vae.encode(x);
            NDArray decoded = vae.decode(post.sample(noise));
            NDArray loss = decoded.sub(x).square().mean().add(post.kl().mean().mul(1e-3f));
            Fixtures.assertClose("loss", grads.get("loss"), loss.reshape(1));
            gc.backward(loss);
            for (String key : grads.keys()) {
                if (key.equals("loss")) {
                    continue;
                }
                NDArray g = vae.trainableParameters().get(key).array().getGradient();
                g.attach(step);
                Fixtures.assertClose("grad " + key, grads.get(key), g);
            }
        }
    }
}
