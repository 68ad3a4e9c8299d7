package dev.usp.eval.sample;

import dev.usp.models.generation.GeneratorSpec;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.usp.app.UspCli;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.config.DataConfig;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.config.RunConfig;
import dev.usp.core.testing.CapturedStderr;
import dev.usp.core.weights.StateDict;
import dev.usp.eval.io.NpyHeader;
import dev.usp.eval.io.NpzFile;
import dev.usp.models.dit.DiT;
import dev.usp.train.dit.GeneratorTrainConfig;
import dev.usp.train.loop.Checkpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@code usp sample} refuses, with one error line naming the value or file, what used to give
 * all-black samples with exit 0 (NaN guidance, a zero scale factor, a checkpoint sampled as
 * another model); and it decodes with an authors' VAE checkpoint whose entry {@code --vae-key} names.
 */
class SampleCommandGuardsTest {

    /** {'model': sd, 'ema': sd + 1} of a 1-channel VAE with 2 latent channels (scripts/fixtures/vae_layouts.py). */
    private static final Path VAE = Path.of("../usp-vae/src/test/resources/fixtures/vae/layouts/model_and_ema.ckpt");

    @TempDir
    Path dir;

    @RegisterExtension
    final CapturedStderr err = new CapturedStderr();

    @BeforeAll
    static void oneThread() {
        Engine.getInstance();
        JniUtils.setNumThreads(1);
    }

    @Test
    void nanGuidanceIsRefused() throws IOException {
        Path ckpt = sitCheckpoint(4);
        err.assertFailure(sample(ckpt, "--cfg-scale", "NaN"), "cfg NaN");
        assertNoSamples();
    }

    @Test
    void zeroScaleFactorIsRefused() throws IOException {
        Path ckpt = sitCheckpoint(4);
        err.assertFailure(sample(ckpt, "--scale-factor", "0"), "--scale-factor must be a finite number > 0, got 0.0");
        assertNoSamples();
    }

    @Test
    void sitCheckpointSampledAsADitNamesBoth() throws IOException {
        Path ckpt = sitCheckpoint(4);
        err.assertFailure(sample(ckpt, "--model", "DiT-T/2", "--num-classes", "4", "--latent-size", "4"),
                "sit.safetensors was trained as SiT-T/2 (transport", "loaded as DiT-T/2 (diffusion");
        err.assertFailure(sample(ckpt, "--method", "ddpm"), "--method ddpm does not fit", "SiT-T/2 (transport");
        assertNoSamples();
    }

    @Test
    void vaeKeyChoosesTheEntryOfAnAuthorsVaeCheckpoint() throws IOException {
        Path ckpt = sitCheckpoint(2);
        Path vae = Files.copy(VAE, dir.resolve("kl.ckpt"));
        err.assertFailure(sample(ckpt, "--vae", vae.toString(), "--vae-preset", "fmnist-tiny"), "kl.ckpt",
                "[model, ema]", "--vae-key");
        Files.writeString(dir.resolve("kl.json"), "{\"format\": \"usp-vae/1\", \"ch\": 4, \"ch_mult\": [1], "
                + "\"num_res_blocks\": 1, \"encoder_attn_resolutions\": [], \"decoder_attn_resolutions\": [], "
                + "\"z_channels\": 2, \"double_z\": true, \"in_channels\": 1, \"out_channels\": 1, \"resolution\": 8, "
                + "\"norm_groups\": 2, \"scale_factor\": 0.5}");
        assertEquals(0, sample(ckpt, "--vae", vae.toString(), "--vae-key", "model"), err.text());
        try (NpzFile npz = NpzFile.open(dir.resolve("samples").resolve(SampleOutputs.NPZ))) {
            NpyHeader h = npz.header(NpzFile.DEFAULT_KEY);
            assertArrayEquals(new long[] {2, 4, 4, 1}, h.shape(), "decoded 4x4 gray images");
        }
    }

    private int sample(Path ckpt, String... extra) {
        List<String> args = new ArrayList<>(List.of("sample", "--ckpt", ckpt.toString(), "--num-samples", "2",
                "--batch-size", "2", "--steps", "2", "--solver", "euler", "--out", dir.resolve("samples").toString()));
        args.addAll(List.of(extra));
        return UspCli.run(args.toArray(String[]::new));
    }

    /** A training checkpoint of a tiny SiT (4 classes, 4x4 latents of {@code channels}), its config recorded. */
    private Path sitCheckpoint(int channels) throws IOException {
        GeneratorTrainConfig config = new GeneratorTrainConfig("SiT-T/2", null, 4, 4, channels, 0.1,
                new DataConfig("cache", null, null, "fmnist", null, 0, 0), 8, 10, new OptimConfig("adamw", 1e-4, 0, 0,
                0, 0.9, 0.999, 0, 0, "constant"), 0.99, "", null, -1, false, false, 0, 4, 5, null, "sd",
                new RunConfig(dir, "run", 1, 0, 2, false), 0);
        Path file = dir.resolve("sit.safetensors");
        try (NDManager m = NDManager.newBaseManager();
             DiT net = new GeneratorSpec("SiT-T/2", 4, 4, channels).build(m.newSubManager())) {
            StateDict sd = net.stateDict();
            new Checkpoint(10, 0, 0, ConfigLoader.toYaml(config), Map.of("model", sd, "ema", sd), Map.of()).write(file);
        }
        return file;
    }

    private void assertNoSamples() {
        assertFalse(Files.exists(dir.resolve("samples")), "the unfinished output folder is left behind");
    }
}
