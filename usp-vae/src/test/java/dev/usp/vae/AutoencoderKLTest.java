package dev.usp.vae;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.weights.StateDict;
import dev.usp.vae.weights.VaeWeights;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Structure of the presets, input checks, scaling and memory behaviour. */
class AutoencoderKLTest {

    @Test
    void sdPresetHasStableDiffusionsTensors() {
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = new AutoencoderKL(m.newSubManager(), VaeConfig.preset("sd"))) {
            // sum(p.numel()) of diffusers' AutoencoderKL for sd-vae-ft-ema / -mse; 248 tensors.
            assertEquals(83_653_863L, vae.parameterCount());
            StateDict sd = vae.stateDict();
            assertEquals(248, sd.size());
            Map<String, Shape> expected = Map.of(
                    "encoder.down.0.downsample.conv.weight", new Shape(128, 128, 3, 3),
                    "encoder.down.1.block.0.nin_shortcut.weight", new Shape(256, 128, 1, 1),
                    "encoder.mid.attn_1.q.weight", new Shape(512, 512, 1, 1),
                    "encoder.conv_out.weight", new Shape(8, 512, 3, 3),
                    "quant_conv.weight", new Shape(8, 8, 1, 1),
                    "post_quant_conv.weight", new Shape(4, 4, 1, 1),
                    "decoder.up.3.block.2.conv2.weight", new Shape(512, 512, 3, 3),
                    "decoder.up.0.block.0.nin_shortcut.weight", new Shape(128, 256, 1, 1),
                    "decoder.up.1.upsample.conv.weight", new Shape(256, 256, 3, 3));
            expected.forEach((k, s) -> assertEquals(s, sd.get(k).getShape(), k));
            assertFalse(sd.contains("decoder.up.0.upsample.conv.weight"));
            assertFalse(sd.contains("encoder.down.3.downsample.conv.weight"));
            assertEquals(8, vae.config().downsampling());
        }
    }

    @Test
    void kl16PresetHasEncoderAttentionAtSixteenOnly() {
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = new AutoencoderKL(m.newSubManager(), VaeConfig.preset("kl16"))) {
            // The official AutoencoderKL(16, ch_mult=(1,1,2,2,4)) from pretrain/vae.py.
            assertEquals(66_456_019L, vae.parameterCount());
            StateDict sd = vae.stateDict();
            assertEquals(312, sd.size());
            assertTrue(sd.contains("encoder.down.4.attn.1.proj_out.weight"));
            assertFalse(sd.contains("encoder.down.3.attn.0.q.weight"));
            assertTrue(sd.keys().stream().noneMatch(k -> k.startsWith("decoder.up.") && k.contains(".attn.")));
            assertEquals(new Shape(32, 32, 1, 1), sd.get("quant_conv.weight").getShape());
            assertEquals(16, vae.config().downsampling());
        }
    }

    @Test
    void wrongImagesFailBeforeAnyWork() {
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = new AutoencoderKL(m.newSubManager(), Fixtures.TINY)) {
            IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                    () -> vae.encode(m.zeros(new Shape(1, 3, 17, 16))));
            assertTrue(size.getMessage().contains("(1, 3, 17, 16)") && size.getMessage().contains("factor 2"),
                    size.getMessage());
            IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                    () -> vae.encode(m.zeros(new Shape(1, 1, 16, 16))));
            assertTrue(channels.getMessage().contains("expected (N, 3, H, W)"), channels.getMessage());
            IllegalArgumentException latent = assertThrows(IllegalArgumentException.class,
                    () -> vae.decode(m.zeros(new Shape(1, 16, 8, 8))));
            assertTrue(latent.getMessage().contains("expected (N, 4, h, w)"), latent.getMessage());
        }
    }

    @Test
    void scaledLatentsRoundTripAndOtherSizesWork() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             StateDict w = Fixtures.read("tiny", "diffusers_new", m);
             AutoencoderKL vae = VaeWeights.load(w, Fixtures.TINY, m);
             NDManager step = m.newSubManager()) {
            NDArray x = step.randomUniform(-1f, 1f, new Shape(1, 3, 24, 32));
            NDArray latents = vae.encodeMeanLatents(x);
            assertEquals(new Shape(1, 4, 12, 16), latents.getShape());
            Fixtures.assertClose("scaled", vae.encode(x).mean().mul(0.18215), latents);
            Fixtures.assertClose("decode", vae.decode(vae.encode(x).mean()), vae.decodeLatents(latents));
        }
    }

    @Test
    void encodeAndDecodeLeaveTheModelManagerUnchanged() {
        Engine.getInstance().setRandomSeed(3);
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = new AutoencoderKL(m.newSubManager(), Fixtures.TINY)) {
            int before = vae.manager().getManagedArrays().size();
            for (int i = 0; i < 2; i++) {
                try (NDManager step = vae.manager().newSubManager()) {
                    NDArray x = step.randomUniform(-1f, 1f, new Shape(2, 3, 16, 16));
                    DiagonalGaussian post = vae.encode(x);
                    vae.decode(post.sample()).toFloatArray();
                    post.kl().toFloatArray();
                }
            }
            assertEquals(before, vae.manager().getManagedArrays().size());
        }
    }
}
