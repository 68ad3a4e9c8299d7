package dev.usp.vae.weights;

import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VAE checkpoints in the authors' layouts (written by scripts/fixtures/vae_layouts.py): a bare
 * state dict, {@code {'model': sd}} as MAR's kl16.ckpt, {@code {'model', 'epoch'}}, an ambiguous
 * {@code {'model', 'ema'}} and one with no weights, through {@link VaeFiles} and {@link VaeWeights}.
 */
class VaeCheckpointsTest {

    private static final Path DIR = Path.of("src/test/resources/fixtures/vae/layouts");
    private static final VaeConfig LAYOUTS = new VaeConfig(4, List.of(1), 1, Set.of(), Set.of(), 2, true, 1, 1, 8, 2,
            1.0);

    @TempDir
    Path tmp;

    private NDManager m;
    private StateDict reference;

    @BeforeEach
    void open() throws IOException {
        m = NDManager.newBaseManager();
        reference = SafeTensors.read(DIR.resolve("ldm.safetensors"), m);
    }

    @AfterEach
    void close() {
        reference.close();
        m.close();
    }

    @Test
    void singleModelEntryIsUnwrapped() throws IOException {
        for (String name : List.of("model.ckpt", "model_epoch.ckpt", "bare.ckpt")) {
            try (AutoencoderKL vae = VaeFiles.load(withSidecar(name), null, null, m)) {
                assertSameWeights(vae, 0f, name);
            }
        }
    }

    @Test
    void vaeKeyChoosesAmongSeveralEntries() throws IOException {
        Path file = withSidecar("model_and_ema.ckpt");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VaeFiles.load(file, null, null, m));
        assertTrue(e.getMessage().contains("model_and_ema.ckpt") && e.getMessage().contains("[model, ema]")
                && e.getMessage().contains("--vae-key"), e.getMessage());
        try (AutoencoderKL ema = VaeFiles.load(file, null, "ema", m)) {
            assertSameWeights(ema, 1f, "ema entry (the model's weights + 1)");
        }
    }

    @Test
    void fileWithoutWeightsListsItsKeys() throws IOException {
        Path file = withSidecar("no_weights.ckpt");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VaeFiles.load(file, null, null, m));
        assertTrue(e.getMessage().contains("no_weights.ckpt") && e.getMessage().contains("none of [model, state_dict, ema]")
                && e.getMessage().contains("keys present: [epoch, args]"), e.getMessage());
    }

    @Test
    void absentVaeKeyNamesTheKeysPresent() throws IOException {
        Path file = withSidecar("model.ckpt");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VaeFiles.load(file, null, "state_dict", m));
        assertTrue(e.getMessage().contains("'state_dict'") && e.getMessage().contains("[model]"), e.getMessage());
    }

    @Test
    void vaeWeightsLoadReadsTorchCheckpointsByTheirBytes() throws IOException {
        try (AutoencoderKL vae = VaeWeights.load(DIR.resolve("model.ckpt"), LAYOUTS, m)) {
            assertSameWeights(vae, 0f, "model.ckpt through VaeWeights.load(Path)");
        }
        Path junk = Files.write(tmp.resolve("vae.ckpt"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        IOException e = assertThrows(IOException.class, () -> VaeWeights.load(junk, LAYOUTS, m));
        assertTrue(e.getMessage().contains("vae.ckpt") && e.getMessage().contains("neither safetensors nor torch.save"),
                e.getMessage());
    }

    /** A copy of the fixture with a sidecar giving its architecture. */
    private Path withSidecar(String name) throws IOException {
        Path file = Files.copy(DIR.resolve(name), tmp.resolve(name));
        Files.writeString(VaeFiles.sidecarOf(file), VaeFiles.toJson(LAYOUTS, null).toString());
        return file;
    }

    private void assertSameWeights(AutoencoderKL vae, float offset, String what) {
        StateDict got = vae.stateDict();
        for (String k : reference.keys()) {
            float[] want = reference.get(k).toFloatArray();
            for (int i = 0; i < want.length; i++) {
                want[i] += offset;
            }
            assertArrayEquals(want, got.get(k).toFloatArray(), 1e-6f, what + ": " + k);
        }
    }
}
