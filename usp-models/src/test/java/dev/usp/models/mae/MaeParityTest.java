package dev.usp.models.mae;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.usp.core.nn.Parameter;
import dev.usp.core.weights.StateDict;
import dev.usp.core.weights.WeightFiles;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static dev.usp.models.mae.MaeFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The tiny MAE against PyTorch (scripts/fixtures/models_mae.py, the official model code with
 * random weights): keys, sin-cos tables, loss/pred/mask under every loss option, and gradients.
 */
class MaeParityTest {

    private static NDManager root;
    private static StateDict weights;
    private static StateDict io;

    @BeforeAll
    static void load() throws IOException {
        root = NDManager.newBaseManager();
        weights = MaeFixtures.tensors("mae/weights.safetensors", root);
        io = MaeFixtures.tensors("mae/io.safetensors", root);
    }

    @AfterAll
    static void close() {
        root.close();
    }

    /** latent 8x8x4, patch 2, encoder 32/2/4, decoder 16/1/2, as the fixture script. */
    static MaeConfig tinyConfig(boolean normPix, boolean normImage) {
        return new MaeConfig(8, 2, 4, 32, 2, 4, 16, 1, 2, 4.0, normPix, normImage, 0.75);
    }

    private static MaskedAutoencoder loaded(boolean normPix, boolean normImage, NDManager m) {
        MaskedAutoencoder model = new MaskedAutoencoder(tinyConfig(normPix, normImage), m);
        model.loadStateDict(weights, true);
        return model;
    }

    @Test
    void stateDictKeysEqualPyTorchInOrder() throws IOException {
        try (NDManager m = root.newSubManager(); MaskedAutoencoder model = new MaskedAutoencoder(tinyConfig(true, false), m)) {
            assertEquals(MaeFixtures.lines("mae/keys.txt"), List.copyOf(model.stateDict().keys()));
            assertEquals(weights.numel(), model.parameterCount());
        }
    }

    @Test
    void fixedSinCosTablesEqualTheOfficialOnes() {
        try (NDManager m = root.newSubManager(); MaskedAutoencoder model = new MaskedAutoencoder(tinyConfig(true, false), m)) {
            StateDict fresh = model.stateDict();
            assertClose(weights.get("pos_embed"), fresh.get("pos_embed"), 1e-6, "pos_embed");
            assertClose(weights.get("decoder_pos_embed"), fresh.get("decoder_pos_embed"), 1e-6, "decoder_pos_embed");
            Map<String, Parameter> trainable = model.trainableParameters();
            assertEquals(false, trainable.containsKey("pos_embed"));
            assertEquals(false, trainable.containsKey("decoder_pos_embed"));
        }
    }

    @Test
    void normPixLossForwardMatchesPyTorch() {
        try (NDManager m = root.newSubManager(); MaskedAutoencoder model = loaded(true, false, m);
             NDManager step = m.newSubManager()) {
            MaeOutput out = model.forward(io.get("imgs"), 0.75, null, io.get("noise"));
            assertClose(io.get("loss_normpix"), out.loss().reshape(1), 1e-5, "loss");
            assertClose(io.get("pred"), out.pred(), 1e-5, "pred");
            assertClose(io.get("mask"), out.mask(), 0, "mask");
        }
    }

    @Test
    void otherLossOptionsMatchPyTorch() {
        try (NDManager m = root.newSubManager(); NDManager step = m.newSubManager()) {
            NDArray imgs = io.get("imgs");
            NDArray noise = io.get("noise");
            assertClose(io.get("loss_plain"),
                    loaded(false, false, m).forward(imgs, 0.75, null, noise).loss().reshape(1), 1e-5, "plain loss");
            assertClose(io.get("loss_normimage"),
                    loaded(true, true, m).forward(imgs, 0.75, null, noise).loss().reshape(1), 1e-5, "norm_image loss");
            MaskedAutoencoder model = loaded(true, false, m);
            assertClose(io.get("loss_target"),
                    model.forward(imgs, 0.75, io.get("clean"), noise).loss().reshape(1), 1e-5, "loss with clean target");
            MaeOutput r60 = model.forward(imgs, 0.6, null, noise);
            assertClose(io.get("loss_ratio60"), r60.loss().reshape(1), 1e-5, "loss at ratio 0.6");
            assertClose(io.get("pred_ratio60"), r60.pred(), 1e-5, "pred at ratio 0.6");
            assertClose(io.get("mask_ratio60"), r60.mask(), 0, "mask at ratio 0.6");
        }
    }

    @Test
    void torchSaveCheckpointLoadsTheSameModel() throws IOException {
        try (NDManager m = root.newSubManager();
             StateDict pth = WeightFiles.readStateDict(MaeFixtures.path("mae/weights.pth"), "model", m);
             MaskedAutoencoder model = new MaskedAutoencoder(tinyConfig(true, false), m);
             NDManager step = m.newSubManager()) {
            assertEquals(true, model.loadStateDict(pth, true).isClean());
            MaeOutput out = model.forward(io.get("imgs"), 0.75, null, io.get("noise"));
            assertClose(io.get("loss_normpix"), out.loss().reshape(1), 1e-5, "loss from the .pth weights");
            assertClose(io.get("pred"), out.pred(), 1e-5, "pred from the .pth weights");
        }
    }

    @Test
    void patchOneLossPredMaskAndGradientsMatchPyTorch() throws IOException {
        MaeConfig p1 = new MaeConfig(8, 1, 4, 32, 2, 4, 16, 1, 2, 4.0, true, false, 0.75);
        try (NDManager m = root.newSubManager(); MaskedAutoencoder model = new MaskedAutoencoder(p1, m);
             StateDict w = MaeFixtures.tensors("mae/weights_p1.safetensors", m);
             StateDict p1io = MaeFixtures.tensors("mae/io_p1.safetensors", m);
             NDManager step = m.newSubManager()) {
            assertClose(w.get("pos_embed"), model.stateDict().get("pos_embed"), 1e-6, "fresh pos_embed (1, 65, 32)");
            model.loadStateDict(w, true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray imgs = p1io.get("imgs").duplicate();
                imgs.attach(step);
                MaeOutput out = model.forward(imgs, 0.75, null, p1io.get("noise"));
                assertClose(p1io.get("loss_normpix"), out.loss().reshape(1), 1e-5, "patch-1 loss");
                assertClose(p1io.get("pred"), out.pred(), 1e-5, "patch-1 pred (2, 64, 4)");
                assertClose(p1io.get("mask"), out.mask(), 0, "patch-1 mask (48 of 64 dropped)");
                gc.backward(out.loss());
            }
            for (Map.Entry<String, Parameter> e : model.trainableParameters().entrySet()) {
                NDArray g = e.getValue().array().getGradient();
                g.attach(step);
                assertClose(p1io.get("grad." + e.getKey()), g, 1e-4, "patch-1 grad of " + e.getKey());
            }
        }
    }

    @Test
    void gradientsAfterOneBackwardMatchPyTorch() {
        try (NDManager m = root.newSubManager(); MaskedAutoencoder model = loaded(true, false, m);
             NDManager step = m.newSubManager()) {
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray imgs = io.get("imgs").duplicate();
                imgs.attach(step);
                gc.backward(model.forward(imgs, 0.75, null, io.get("noise")).loss());
            }
            Map<String, Parameter> trainable = model.trainableParameters();
            assertEquals(io.keys().stream().filter(k -> k.startsWith("grad.")).count(), trainable.size());
            for (Map.Entry<String, Parameter> e : trainable.entrySet()) {
                NDArray g = e.getValue().array().getGradient();
                g.attach(step);
                assertClose(io.get("grad." + e.getKey()), g, 1e-4, "grad of " + e.getKey());
            }
        }
    }
}
