package dev.usp.eval.sample;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.usp.app.UspCli;
import dev.usp.eval.io.NpyHeader;
import dev.usp.eval.io.NpzFile;
import dev.usp.eval.testing.TinyLatentCache;
import dev.usp.train.tensorboard.EventReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The commands end to end: train-sit and train-dit for two steps from the fmnist configs, then sample. */
class GeneratorCliTest {

    @BeforeAll
    static void oneThread() {
        Engine.getInstance();
        JniUtils.setNumThreads(1);
    }

    @Test
    void trainThenSample(@TempDir Path dir) throws IOException {
        Path cache = TinyLatentCache.write(dir.resolve("latents"), null);
        for (String family : List.of("sit", "dit")) {
            assertEquals(0, UspCli.run("train-" + family, "--config", "../configs/fmnist/" + family + ".yaml",
                    "--set", "data.train=" + cache, "--set", "latent_size=4", "--set", "batch_size=8",
                    "--set", "steps=2", "--set", "run.dir=" + dir, "--set", "sample_every=2",
                    "--set", "sample_count=4", "--set", "sample_steps=3", "--seed", "5"));
            Path ckpt;
            try (var files = Files.list(dir.resolve(family).resolve("checkpoints"))) {
                ckpt = files.filter(p -> p.toString().endsWith(".safetensors")).findFirst().orElseThrow();
            }
            Path grid = dir.resolve(family).resolve("samples").resolve("step-0000002.png");
            assertTrue(Files.isRegularFile(grid));
            List<EventReader.Event> images = EventReader.readDir(dir.resolve(family)).stream()
                    .filter(e -> e.kind().equals("image")).toList();
            assertEquals(1, images.size(), "the preview grid is in the TensorBoard events");
            assertEquals("samples", images.get(0).tag());
            assertEquals(2, images.get(0).step());
            assertArrayEquals(Files.readAllBytes(grid), images.get(0).png());
            Path out = dir.resolve(family + "-samples");
            assertEquals(0, UspCli.run("sample", "--ckpt", ckpt.toString(), "--num-samples", "3", "--batch-size", "2",
                    "--steps", "3", "--solver", "euler", "--cfg-scale", "1.5", "--out", out.toString(), "--seed", "9"));
            try (NpzFile npz = NpzFile.open(out.resolve(SampleOutputs.NPZ))) {
                NpyHeader h = npz.header(NpzFile.DEFAULT_KEY);
                assertArrayEquals(new long[] {3, 4, 4, 3}, h.shape(), "no VAE: the first three latent channels");
            }
        }
        assertEquals(1, UspCli.run("train-dit", "--config", "../configs/fmnist/sit.yaml"),
                "a SiT config is refused by train-dit");
    }
}
