package dev.usp.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.usp.core.nn.Module;
import dev.usp.core.nn.Parameter;
import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTConfig;
import dev.usp.models.mae.MaeModels;
import dev.usp.models.mae.MaeOptions;
import dev.usp.models.mae.MaskedAutoencoder;
import dev.usp.models.vit.GlobalPool;
import dev.usp.models.vit.VisionTransformer;
import dev.usp.models.vit.VitModels;
import dev.usp.models.vit.VitOptions;
import dev.usp.models.generation.GaussianDiffusion;
import dev.usp.models.generation.Transport;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.DiagonalGaussian;
import dev.usp.vae.VaeConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A garbage collection between forward and backward must not change a single gradient. DJL
 * ops that take a Java number keep it in a Java buffer that a collection frees while autograd
 * still needs it (see {@code dev.usp.core.engine.Scalars}); before the fix every DiT gradient
 * came out NaN here. Each case runs the real training loss of one trainer twice on the same
 * inputs, the second time with forced collections before the backward, and asks for bitwise
 * equal gradients.
 */
class GradientsSurviveGcTest {

    @Test
    void ditDiffusionLossIncludingTheVariationalBound() {
        GaussianDiffusion gd = GaussianDiffusion.create("");
        try (NDManager root = NDManager.newBaseManager();
             DiT dit = new DiT(root.newSubManager(), tinyDiT(true))) {
            randomise(dit);
            assertGcInvariant(dit, m -> {
                NDArray x = m.randomNormal(new Shape(2, 4, 8, 8));
                NDArray t = m.create(new long[] {3, 700});
                NDArray y = m.create(new long[] {1, 2});
                NDArray noise = m.randomNormal(new Shape(2, 4, 8, 8));
                return gd.trainingLosses(dit::forward, x, t, y, noise).loss().mean();
            });
        }
    }

    @Test
    void sitTransportLoss() {
        try (NDManager root = NDManager.newBaseManager();
             DiT sit = new DiT(root.newSubManager(), tinyDiT(false))) {
            randomise(sit);
            assertGcInvariant(sit, m -> {
                NDArray x1 = m.randomNormal(new Shape(2, 4, 8, 8));
                NDArray t = m.create(new float[] {0.2f, 0.9f});
                NDArray y = m.create(new long[] {0, 3});
                NDArray x0 = m.randomNormal(new Shape(2, 4, 8, 8));
                return Transport.trainingLosses(sit::forward, x1, y, t, x0).loss().mean();
            });
        }
    }

    @Test
    void maskedLatentPretrainingLoss() {
        try (NDManager root = NDManager.newBaseManager();
             MaskedAutoencoder mae = MaeModels.create("vit_mini_patch_vae",
                     new MaeOptions(8, 4, 2, true, false, 0.75), root.newSubManager())) {
            assertGcInvariant(mae, m -> {
                NDArray x = m.randomNormal(new Shape(2, 4, 8, 8));
                NDArray noise = m.randomUniform(0f, 1f, new Shape(2, 16));
                return mae.forward(x, 0.75, x, noise).loss();
            });
        }
    }

    @Test
    void vitClassifierWithDropPath() {
        try (NDManager root = NDManager.newBaseManager();
             VisionTransformer vit = VitModels.create("vit_mini_patch16_vae",
                     new VitOptions(8, 4, 2, 10, GlobalPool.AVG, 0.2, 0, 0.02, false), root.newSubManager())) {
            vit.train(true);
            assertGcInvariant(vit, m -> {
                NDArray x = m.randomNormal(new Shape(4, 4, 8, 8));
                NDArray labels = m.create(new long[] {0, 1, 2, 3});
                return vit.forward(x).logSoftmax(-1).mul(labels.oneHot(10)).sum(new int[] {1}).neg().mean();
            });
        }
    }

    @Test
    void vaeReconstructionAndKl() {
        try (NDManager root = NDManager.newBaseManager();
             AutoencoderKL vae = new AutoencoderKL(root.newSubManager(), VaeConfig.preset("fmnist-tiny"))) {
            assertGcInvariant(vae, m -> {
                NDArray x = m.randomUniform(-1f, 1f, new Shape(2, 1, 32, 32));
                DiagonalGaussian post = vae.encode(x);
                NDArray rec = vae.decode(post.sample()).sub(x).abs().mean();
                return rec.add(post.kl().mean().mul(m.create(1e-3f)));
            });
        }
    }

    /** 8x8x4 latents, patch 2, 64 wide, 2 blocks; a learned variance for DiT, none for SiT. */
    private static DiTConfig tinyDiT(boolean learnSigma) {
        return new DiTConfig(8, 2, 4, 64, 2, 4, 4.0, 0.1, 10, learnSigma, true);
    }

    /** DiT's zero-initialised output layers would leave most gradients at zero: draw them all instead. */
    private static void randomise(Module model) {
        Engine.getInstance().setRandomSeed(3);
        for (Parameter p : model.trainableParameters().values()) {
            try (NDArray r = p.array().getManager().randomNormal(0f, 0.05f, p.array().getShape(), DataType.FLOAT32)) {
                p.array().set(r.toFloatArray());
            }
        }
    }

    private static void assertGcInvariant(Module model, Function<NDManager, NDArray> loss) {
        Map<String, float[]> reference = gradients(model, loss, false);
        boolean anyNonZero = false;
        for (Map.Entry<String, float[]> e : reference.entrySet()) {
            for (float g : e.getValue()) {
                assertTrue(Float.isFinite(g), "reference gradient of " + e.getKey() + " is not finite");
                anyNonZero |= g != 0f;
            }
        }
        assertTrue(anyNonZero, "the loss produced no gradient at all");
        Map<String, float[]> afterGc = gradients(model, loss, true);
        for (Map.Entry<String, float[]> e : reference.entrySet()) {
            assertArrayEquals(e.getValue(), afterGc.get(e.getKey()),
                    "gradient of " + e.getKey() + " changed when the JVM collected garbage before the backward");
        }
    }

    private static Map<String, float[]> gradients(Module model, Function<NDManager, NDArray> loss, boolean collect) {
        Map<String, float[]> out = new TreeMap<>();
        try (NDManager step = model.manager().newSubManager();
             GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            Engine.getInstance().setRandomSeed(11);
            NDArray value = loss.apply(step);
            if (collect) {
                collectGarbage();
            }
            gc.backward(value);
            for (Map.Entry<String, Parameter> e : model.trainableParameters().entrySet()) {
                try (NDArray g = e.getValue().array().getGradient()) {
                    out.put(e.getKey(), g.toFloatArray());
                    g.muli(0);
                }
            }
        }
        return out;
    }

    /** Collections plus time for the cleaner thread to free the buffers they found unreachable. */
    private static void collectGarbage() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
