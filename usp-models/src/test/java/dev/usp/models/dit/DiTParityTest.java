package dev.usp.models.dit;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.usp.core.nn.Parameter;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.models.sit.SiT;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static dev.usp.models.dit.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DiT, DiT-VAE-simple and SiT against torch 1.13 running a mirror of the official code
 * (scripts/fixtures/models_dit.py): latent 8x8x4, patch 2 (and 1), D 32, depth 2, 4 heads, 10 classes,
 * random non-zero weights everywhere.
 */
class DiTParityTest {

    private static final Path DIR = Path.of("src/test/resources/fixtures/dit");
    private static final DiTConfig TINY = new DiTConfig(8, 2, 4, 32, 2, 4, 4.0, 0.1, 10, true, false);

    private static NDManager manager;
    private static StateDict io;

    @BeforeAll
    static void load() throws Exception {
        manager = NDManager.newBaseManager();
        io = SafeTensors.read(DIR.resolve("io.safetensors"), manager);
    }

    @AfterAll
    static void close() {
        io.close();
        manager.close();
    }

    private static <M extends DiT> M loaded(M model, String file) throws Exception {
        try (StateDict sd = SafeTensors.read(DIR.resolve(file), manager)) {
            model.loadStateDict(sd, true);
        }
        model.eval();
        return model;
    }

    @Test
    void timestepFrequencyEmbeddingMatches() {
        try (NDManager step = manager.newSubManager()) {
            NDArray freqs = TimestepEmbedder.frequencies(step, 256);
            float[] f = freqs.toFloatArray();
            for (int k = 0; k < 128; k++) {
                // float32 chain arange * -ln(1e4) / 128, then exp: the rounding of the argument (~1e-6 relative) bounds the error
                assertEquals(Math.exp(-Math.log(10000) * k / 128.0), f[k], 2e-6 * f[k], "freq " + k);
            }
            // t = 999 puts the float32 arguments near 1e3, where one ulp of a frequency (libtorch's
            // exp differs from torch 1.13's by an ulp on some entries) moves the angle by ~6e-5 rad.
            assertClose("t freq", io.get("temb_freq"), TimestepEmbedder.timestepEmbedding(io.get("t"), freqs), 1e-4);
        }
    }

    @Test
    void forwardMatchesStandardVaeSimpleAndSiT() throws Exception {
        try (DiT std = loaded(new DiT(manager.newSubManager(), TINY), "dit_std.safetensors");
             DiT vae = loaded(new DiT(manager.newSubManager(), TINY.toBuilder().affineBlockNorms(true).build()), "dit_vae.safetensors");
             SiT sit = loaded(new SiT(manager.newSubManager(), TINY), "dit_std.safetensors")) {
            NDArray x = io.get("x");
            NDArray y = io.get("y");
            assertClose("DiT", io.get("dit_std_out"), std.forward(x, io.get("t"), y), 1e-5);
            assertClose("DiT-VAE-simple", io.get("dit_vae_out"), vae.forward(x, io.get("t"), y), 1e-5);
            assertClose("SiT", io.get("sit_out"), sit.forward(x, io.get("t_sit"), y), 1e-5);
            NDArray yc = io.get("y_cfg");
            assertClose("DiT cfg 3ch", io.get("dit_cfg3"), std.forwardWithCfg(x, io.get("t"), yc, 4.0), 1e-5);
            assertClose("DiT cfg all", io.get("dit_cfg_all"), std.forwardWithCfg(x, io.get("t"), yc, 4.0, true), 1e-5);
            assertClose("SiT cfg 3ch", io.get("sit_cfg3"), sit.forwardWithCfg(x, io.get("t_sit"), yc, 4.0), 1e-5);
            assertClose("forced drop", io.get("label_forced"),
                    std.labelEmbedder().forward(y, io.get("force_drop")), 1e-6);
        }
    }

    @Test
    void patchOneVaeSimpleAndSiTMatch() throws Exception {
        DiTConfig p1 = new DiTConfig(8, 1, 4, 32, 2, 4, 4.0, 0.1, 10, true, true);
        try (StateDict p1io = SafeTensors.read(DIR.resolve("io_p1.safetensors"), manager);
             DiT dit = loaded(new DiT(manager.newSubManager(), p1), "dit_vae_p1.safetensors");
             SiT sit = loaded(new SiT(manager.newSubManager(), p1), "dit_vae_p1.safetensors")) {
            NDArray x = p1io.get("x");
            NDArray y = p1io.get("y");
            assertClose("DiT-VAE-simple p1", p1io.get("dit_vae_out"), dit.forward(x, p1io.get("t"), y), 1e-5);
            assertClose("SiT-VAE-simple p1", p1io.get("sit_out"), sit.forward(x, p1io.get("t_sit"), y), 1e-5);
        }
    }

    @Test
    void parameterGradientsMatch() throws Exception {
        try (DiT std = loaded(new DiT(manager.newSubManager(), TINY), "dit_std.safetensors");
             NDManager step = manager.newSubManager()) {
            Map<String, Parameter> params = std.trainableParameters();
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = std.forward(io.get("x").duplicate(), io.get("t"), io.get("y"));
                NDArray loss = out.sub(io.get("grad_target")).square().mean();
                assertClose("loss", io.get("grad_loss"), loss.reshape(1), 1e-5);
                gc.backward(loss);
            }
            int compared = 0;
            for (Map.Entry<String, Parameter> e : params.entrySet()) {
                NDArray g = e.getValue().array().getGradient();
                g.attach(step);
                assertClose("grad " + e.getKey(), io.get("grad." + e.getKey()), g, 1e-4);
                compared++;
            }
            assertEquals(io.keys().stream().filter(k -> k.startsWith("grad.")).count(), compared);
            assertTrue(compared > 30);
        }
    }
}
