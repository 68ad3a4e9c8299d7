package dev.usp.vae;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.weights.StateDict;
import dev.usp.vae.weights.DiffusersConfig;
import dev.usp.vae.weights.VaeWeights;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Strictness and the clear errors of weight loading; the diffusers folder format. */
class VaeWeightsTest {

    @Test
    void missingKeyFailsNamingIt() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             StateDict sd = Fixtures.read("tiny", "diffusers_new", m)) {
            StateDict partial = sd.filter(k -> !k.equals("decoder.up_blocks.0.upsamplers.0.conv.weight"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> VaeWeights.load(partial, Fixtures.TINY, m));
            // up_blocks.0 is the deepest of two levels: LDM's up.1.
            assertTrue(e.getMessage().contains("missing 'decoder.up.1.upsample.conv.weight' (model (16, 16, 3, 3))"),
                    e.getMessage());
        }
    }

    @Test
    void misShapedKeyFailsWithBothShapes() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             StateDict sd = Fixtures.read("tiny", "ldm_prefixed", m)) {
            StateDict bad = new StateDict("bad.safetensors", null);
            sd.asMap().forEach((k, v) -> bad.put(k, k.equals("first_stage_model.encoder.mid.attn_1.q.weight")
                    ? m.zeros(new Shape(16, 8, 1, 1)) : v));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> VaeWeights.load(bad, Fixtures.TINY, m));
            assertTrue(e.getMessage().contains(
                    "mis-shaped 'encoder.mid.attn_1.q.weight': model (16, 16, 1, 1), weights (16, 8, 1, 1)"), e.getMessage());
        }
    }

    @Test
    void weightsOfAnotherVaeFailBeforeAnyWork() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             StateDict sd = Fixtures.read("sdshape", "ldm", m)) {
            int before = m.getManagedArrays().size();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> VaeWeights.load(sd, Fixtures.TINY, m));
            assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
            assertTrue(e.getMessage().contains("unexpected 'encoder.down.2.block.0.conv1.weight'")
                    || e.getMessage().contains("mis-shaped"), e.getMessage());
            assertEquals(before, m.getManagedArrays().size(), "the half-built model was released");
        }
    }

    @Test
    void anotherArchitectureIsNotAVae() {
        try (NDManager m = NDManager.newBaseManager()) {
            StateDict dit = new StateDict("dit.safetensors", null)
                    .put("x_embedder.proj.weight", m.zeros(new Shape(8, 4, 2, 2)))
                    .put("blocks.0.attn.qkv.weight", m.zeros(new Shape(24, 8)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> VaeWeights.load(dit, "sd", m));
            assertTrue(e.getMessage().startsWith("not a KL autoencoder state dict: dit.safetensors"), e.getMessage());
        }
    }

    @Test
    void diffusersFolderGivesConfigAndWeights() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             StateDict io = Fixtures.read("sdshape", "io", m);
             AutoencoderKL vae = VaeWeights.loadDiffusers(Fixtures.dir("sdshape").resolve("diffusers"), m)) {
            assertEquals(Fixtures.SDSHAPE, vae.config());
            VaeParityTest.check(vae, io);
        }
    }

    @Test
    void pathLoaderReadsFilesAndFolders() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL file = VaeWeights.load(Fixtures.dir("sdshape").resolve("ldm.safetensors"), Fixtures.SDSHAPE, m);
             AutoencoderKL folder = VaeWeights.load(Fixtures.dir("sdshape").resolve("diffusers"), VaeConfig.sd(), m)) {
            assertEquals(Fixtures.SDSHAPE, folder.config());
            StateDict a = file.stateDict();
            StateDict b = folder.stateDict();
            assertEquals(a.keys(), b.keys());
            for (String k : a.keys()) {
                assertTrue(a.get(k).contentEquals(b.get(k)), k);
            }
        }
    }

    @Test
    void diffusersConfigOfStableDiffusionIsTheSdPreset(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"_class_name\": \"AutoencoderKL\", \"act_fn\": \"silu\","
                + " \"block_out_channels\": [128, 256, 512, 512],"
                + " \"down_block_types\": [\"DownEncoderBlock2D\", \"DownEncoderBlock2D\", \"DownEncoderBlock2D\", \"DownEncoderBlock2D\"],"
                + " \"up_block_types\": [\"UpDecoderBlock2D\", \"UpDecoderBlock2D\", \"UpDecoderBlock2D\", \"UpDecoderBlock2D\"],"
                + " \"in_channels\": 3, \"latent_channels\": 4, \"layers_per_block\": 2, \"norm_num_groups\": 32,"
                + " \"out_channels\": 3, \"sample_size\": 256}");
        assertEquals(VaeConfig.sd(), DiffusersConfig.read(file));
        Files.writeString(file, "{\"block_out_channels\": [128], \"in_channels\": 3}");
        IOException e = assertThrows(IOException.class, () -> DiffusersConfig.read(file));
        assertTrue(e.getMessage().contains("missing field 'sample_size'"), e.getMessage());
    }
}
