package dev.usp.vae.weights;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A trained VAE written by {@link VaeFiles} loads back with its config and gives identical outputs. */
class VaeFilesTest {

    /** Small, with attention in both encoder and decoder so that every key kind is written. */
    private static final VaeConfig SMALL = new VaeConfig(8, List.of(1, 2), 1, Set.of(16), Set.of(8), 4, true, 1, 1, 16,
            4, 0.4321);

    @Test
    void roundTripGivesIdenticalOutputs(@TempDir Path dir) throws IOException {
        Engine.getInstance().setRandomSeed(3);
        Path file = dir.resolve(VaeFiles.WEIGHTS);
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = new AutoencoderKL(m.newSubManager(), SMALL)) {
            VaeFiles.save(vae, file, "custom");
            assertTrue(Files.isRegularFile(dir.resolve("vae.json")));
            NDArray x = m.randomUniform(-1f, 1f, new Shape(2, 1, 16, 16));
            try (AutoencoderKL back = VaeFiles.load(file, m)) {
                assertEquals(SMALL, back.config());
                assertArrayEquals(vae.encode(x).moments().toFloatArray(), back.encode(x).moments().toFloatArray());
                NDArray z = vae.encode(x).mean();
                assertArrayEquals(vae.decode(z).toFloatArray(), back.decode(z).toFloatArray());
            }
            try (AutoencoderKL fromFolder = VaeFiles.load(dir, m)) {
                assertEquals(0.4321, fromFolder.scaleFactor());
            }
            Files.delete(dir.resolve("vae.json"));
            assertEquals(SMALL, VaeFiles.readConfig(file), "the safetensors metadata carries the config too");
        }
    }

    @Test
    void fileWithoutConfigNeedsPreset(@TempDir Path dir) throws IOException {
        VaeConfig tiny = VaeConfig.fmnistTiny();
        Path file = dir.resolve("plain.safetensors");
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = new AutoencoderKL(m.newSubManager(), tiny)) {
            try (StateDict sd = vae.stateDict()) {
                SafeTensors.write(file, sd);
            }
            assertNull(VaeFiles.readConfig(file));
            IOException e = assertThrows(IOException.class, () -> VaeFiles.load(file, m));
            assertTrue(e.getMessage().contains("--vae-preset"), e.getMessage());
            try (AutoencoderKL back = VaeFiles.load(file, "fmnist-tiny", m)) {
                assertEquals(tiny, back.config());
                assertArrayEquals(vae.stateDict().get("decoder.conv_out.weight").toFloatArray(),
                        back.stateDict().get("decoder.conv_out.weight").toFloatArray());
            }
        }
    }

    @Test
    void damagedSidecarIsNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve(VaeFiles.WEIGHTS);
        Files.writeString(dir.resolve("vae.json"), "{\"format\": \"usp-vae/1\", \"ch\": 8}");
        Files.write(file, new byte[16]);
        IOException e = assertThrows(IOException.class, () -> VaeFiles.readConfig(file));
        assertTrue(e.getMessage().contains("vae.json") && e.getMessage().contains("ch_mult"), e.getMessage());
    }

    @Test
    void tinyPresetMapsFashionMnistToEightByEightByFour() {
        VaeConfig c = VaeConfig.preset("fmnist-tiny");
        assertEquals(4, c.downsampling());
        assertEquals(4, c.zChannels());
        assertEquals(1, c.inChannels());
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = new AutoencoderKL(m.newSubManager(), c)) {
            assertEquals(new Shape(3, 4, 8, 8), vae.encode(m.zeros(new Shape(3, 1, 32, 32))).mean().getShape());
        }
    }
}
