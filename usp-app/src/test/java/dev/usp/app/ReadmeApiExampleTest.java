package dev.usp.app;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.core.weights.WeightFiles;
import dev.usp.eval.io.NpyHeader;
import dev.usp.eval.io.NpzFile;
import dev.usp.eval.sample.GeneratorLoader;
import dev.usp.eval.sample.SampleJob;
import dev.usp.eval.sample.SampleOutputs;
import dev.usp.eval.sample.Sampler;
import dev.usp.eval.testing.TinyLatentCache;
import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTModels;
import dev.usp.models.mae.MaeModels;
import dev.usp.models.mae.MaeOptions;
import dev.usp.models.mae.MaskedAutoencoder;
import dev.usp.models.transfer.MaeTransfer;
import dev.usp.models.transfer.TransferOptions;
import dev.usp.models.transfer.TransferReport;
import dev.usp.train.dit.GeneratorTrainConfig;
import dev.usp.train.dit.GeneratorTrainer;
import dev.usp.models.generation.SamplerSettings;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.weights.VaeFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Java API in ten lines", call for call, at toy size: a USP checkpoint from 224px
 * pretraining (14x14 grid), its transfer into a DiT, two fine-tuning steps on a latent cache, EMA
 * samples decoded by a VAE file. Keeps the README's example compiling and working.
 */
class ReadmeApiExampleTest {

    @BeforeAll
    static void oneThread() {
        Engine.getInstance();
        JniUtils.setNumThreads(1);
    }

    @Test
    void loadTransferTrainSample(@TempDir Path dir) throws IOException {
        Path checkpoint = writeMaeCheckpoint(dir.resolve("checkpoint.safetensors"));
        Path vaeFile = dir.resolve("vae.safetensors");
        Path cache = TinyLatentCache.write(dir.resolve("latents"), vaeFile);

        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            StateDict mae = WeightFiles.readStateDict(checkpoint, "model", m);
            DiT dit = DiTModels.create(m.newSubManager(), "DiT-M/2-VAE-simple");
            TransferReport transfer = MaeTransfer.toGenerator(mae, dit,
                    TransferOptions.defaults().withResizePosEmbed(true));
            GeneratorTrainConfig cfg = ConfigLoader.load(GeneratorTrainConfig.class, Path.of("../configs/fmnist/dit.yaml"),
                    List.of("data.train=" + cache, "latent_size=4", "batch_size=8", "finetune=" + checkpoint,
                            "resize_pos_embed=true", "steps=2", "sample_every=2", "sample_count=4", "sample_steps=3", "vae=" + vaeFile,
                            "run.dir=" + dir.resolve("runs")));
            GeneratorTrainer.Result run = GeneratorTrainer.run(cfg, List.of(Device.cpu()), false, null);
            GeneratorLoader.Loaded ema = GeneratorLoader.load(run.lastCheckpoint(), null, "ema", m);
            AutoencoderKL vae = VaeFiles.load(vaeFile, m);
            Path out = dir.resolve("samples");
            new SampleOutputs(out, 4, false, true).write(new Sampler(ema.model(),
                    SamplerSettings.ddpm(5), vae, vae.scaleFactor()), new SampleJob(4, 4, 0, null, 10), b -> { });

            // the 32x32 DiT takes the encoder (its 14x14 positions resized to 16x16) and leaves its own parts
            assertEquals(51, transfer.loaded().size(), transfer.summary());
            assertTrue(transfer.loaded().containsAll(List.of("pos_embed", "x_embedder.proj.weight",
                    "blocks.3.mlp.fc2.weight")), transfer.summary());
            assertEquals(transfer.loaded(), run.transfer().loaded(), "the trainer's 4x4 DiT loads the same tensors");
            assertEquals(2, run.endStep());
            assertTrue(Double.isFinite(run.lastLoss()));
            assertEquals("DiT-M/2-VAE-simple", ema.spec().model());
            assertTrue(Files.isRegularFile(out.resolve(SampleOutputs.GRID)));
            try (NpzFile npz = NpzFile.open(out.resolve(SampleOutputs.NPZ))) {
                NpyHeader h = npz.header(NpzFile.DEFAULT_KEY);
                assertArrayEquals(new long[] {4, 8, 8}, java.util.Arrays.copyOf(h.shape(), 3),
                        "4 decoded 8x8 images");
            }
        }
    }

    /** An MAE pretraining checkpoint as {@code usp pretrain} writes it: the model's tensors under {@code model.}. */
    private static Path writeMaeCheckpoint(Path file) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            MaskedAutoencoder mae = MaeModels.create("vit_mini_patch_vae", MaeOptions.d8(), m.newSubManager());
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            mae.stateDict().asMap().forEach((k, v) -> tensors.put("model." + k, v));
            SafeTensors.write(file, tensors, Map.of());
        }
        return file;
    }
}
