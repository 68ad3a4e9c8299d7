package dev.usp.eval.reliability;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.usp.core.testing.CapturedStderr;
import dev.usp.core.weights.SafeTensors;
import dev.usp.app.UspCli;
import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTModels;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;
import dev.usp.vae.cache.CacheManifest;
import dev.usp.vae.cache.LabelledImages;
import dev.usp.vae.cache.LatentCacheWriter;
import dev.usp.vae.weights.VaeFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad inputs of issue 8's reliability suite, through the command line ({@link UspCli#run}):
 * each one exits non-zero with an error line that names the problem (and the file or key), prints
 * no stack trace, and leaves no output behind (no sample folder, latent cache, run folder or
 * checkpoint).
 */
class BadInputsCliTest {

    private static final VaeConfig TINY_VAE = new VaeConfig(8, List.of(1, 2), 1, Set.of(), Set.of(), 4, true, 1, 1, 8,
            4, 1.0);

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
    void truncatedSafetensors() throws IOException {
        Path ckpt = ditWeights("DiT-M/2");
        truncate(ckpt);
        Path out = dir.resolve("samples");
        err.assertFailure(sample(ckpt, "DiT-M/2", out), ckpt.getFileName().toString(), "truncated");
        assertAbsent(out);
    }

    @Test
    void truncatedPth() throws IOException {
        Path ckpt = dir.resolve("tiny.pth");
        Files.copy(Path.of("../usp-eval/src/test/resources/fixtures/bad-inputs/tiny.pth"), ckpt);
        truncate(ckpt);
        Path out = dir.resolve("samples");
        err.assertFailure(sample(ckpt, "DiT-M/2", out), "tiny.pth");
        assertAbsent(out);
    }

    @Test
    void unsupportedDtype() throws IOException {
        byte[] json = ("{\"x_embedder.proj.weight\":{\"dtype\":\"F8_E4M3\",\"shape\":[128,4,2,2],"
                + "\"data_offsets\":[0,2048]}}").getBytes(StandardCharsets.US_ASCII);
        byte[] file = new byte[8 + json.length + 2048];
        file[0] = (byte) json.length;
        System.arraycopy(json, 0, file, 8, json.length);
        Path ckpt = Files.write(dir.resolve("f8.safetensors"), file);
        Path out = dir.resolve("samples");
        err.assertFailure(sample(ckpt, "DiT-M/2", out), "f8.safetensors", "F8_E4M3", "x_embedder.proj.weight");
        assertAbsent(out);
    }

    @Test
    void stateDictOfAnotherModel() throws IOException {
        Path ckpt = ditWeights("DiT-M/2");
        Path out = dir.resolve("samples");
        err.assertFailure(sample(ckpt, "DiT-M/4", out), "DiT-M/4", "m2.safetensors", "x_embedder.proj.weight");
        assertAbsent(out);
    }

    @Test
    void corruptImageInDatasetFolder() throws IOException {
        Path images = dir.resolve("images");
        Files.createDirectories(images.resolve("cat"));
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "png", images.resolve("cat/a.png").toFile());
        Files.write(images.resolve("cat/b.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
        Path out = dir.resolve("cache");
        err.assertFailure(encode(images, out), "b.png");
        assertIncompleteCache(out);
    }

    @Test
    void emptyDataset() throws IOException {
        Path images = dir.resolve("images");
        Files.createDirectories(images.resolve("cat"));
        Path out = dir.resolve("cache");
        err.assertFailure(encode(images, out), images.getFileName().toString());
        assertAbsent(out);
    }

    @Test
    void configWithUnknownKey() throws IOException {
        Path yaml = Files.writeString(dir.resolve("dit.yaml"),
                Files.readString(Path.of("../configs/fmnist/dit.yaml")) + "\nlearning_rate: 0.1\n");
        Path cache = cache(16, false);
        err.assertFailure(UspCli.run("train-dit", "--config", yaml.toString(), "--set", "data.train=" + cache,
                "--set", "run.dir=" + dir.resolve("runs")), "learning_rate", "dit.yaml");
        assertAbsent(dir.resolve("runs"));
        err.assertFailure(UspCli.run("train-dit", "--config", "../configs/fmnist/dit.yaml", "--set", "data.train=" + cache,
                "--set", "run.dir=" + dir.resolve("runs"), "--set", "sampel_every=5"), "sampel_every");
        assertAbsent(dir.resolve("runs"));
    }

    @Test
    void nanInputsStopBeforeAnyCheckpoint() throws IOException {
        Path cache = cache(16, true);
        err.assertFailure(trainDit(cache, 8), "loss is NaN", "step index 0");
        Path checkpoints = dir.resolve("runs/dit/checkpoints");
        assertEquals(List.of(), list(checkpoints), "no checkpoint of a NaN model");
    }

    @Test
    void batchLargerThanTheDataset() throws IOException {
        Path cache = cache(16, false);
        err.assertFailure(trainDit(cache, 32), "batch", "32", "16");
        assertAbsent(dir.resolve("runs"));
    }

    private int sample(Path ckpt, String model, Path out) {
        return UspCli.run("sample", "--ckpt", ckpt.toString(), "--model", model, "--num-classes", "10",
                "--latent-size", "4", "--num-samples", "2", "--batch-size", "2", "--steps", "2", "--out", out.toString());
    }

    private int encode(Path images, Path out) throws IOException {
        Path vae = dir.resolve("vae.safetensors");
        try (NDManager m = NDManager.newBaseManager(); AutoencoderKL model = new AutoencoderKL(m.newSubManager(),
                TINY_VAE)) {
            VaeFiles.save(model, vae, null);
        }
        return UspCli.run("encode", "--vae", vae.toString(), "--out", out.toString(), "--image-folder",
                images.toString(), "--image-size", "8");
    }

    private int trainDit(Path cache, int batch) {
        return UspCli.run("train-dit", "--config", "../configs/fmnist/dit.yaml", "--set", "data.train=" + cache,
                "--set", "latent_size=4", "--set", "batch_size=" + batch, "--set", "steps=2",
                "--set", "sample_every=0", "--set", "run.dir=" + dir.resolve("runs"));
    }

    /** A DiT state dict (4x4x4 latents, 10 classes) as a bare safetensors file named after the model. */
    private Path ditWeights(String model) throws IOException {
        Path file = dir.resolve(model.substring(model.indexOf('-') + 1).replace("/", "").toLowerCase() + ".safetensors");
        try (NDManager m = NDManager.newBaseManager();
             DiT dit = new DiT(m.newSubManager(), DiTModels.config(model).toBuilder().inputSize(4).inChannels(4)
                     .numClasses(10).build())) {
            SafeTensors.write(file, dit.stateDict());
        }
        return file;
    }

    /** A latent cache of n 8x8 images through a random tiny VAE (4x4x4 latents); NaN images give NaN latents. */
    private Path cache(int n, boolean nan) throws IOException {
        float[] images = new float[n * 64];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
            for (int k = 0; k < 64; k++) {
                images[i * 64 + k] = nan ? Float.NaN : (float) Math.sin(0.3 * k * (1 + labels[i]));
            }
        }
        Path out = dir.resolve(nan ? "nan-latents" : "latents");
        try (NDManager m = NDManager.newBaseManager(); AutoencoderKL vae = new AutoencoderKL(m.newSubManager(),
                TINY_VAE)) {
            LatentCacheWriter.write(vae, LabelledImages.of(images, labels, new Shape(1, 8, 8)), out,
                    new LatentCacheWriter.Options(n, n, false));
        }
        return out;
    }

    private static void truncate(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, all.length / 2));
    }

    /**
     * A failed encode keeps its plan and finished shards (each written atomically) for a later run,
     * but never the manifest that marks a cache complete, nor a temporary file.
     */
    private static void assertIncompleteCache(Path out) throws IOException {
        List<String> files = list(out);
        assertFalse(files.contains(CacheManifest.MANIFEST), "manifest of a failed encode: " + files);
        assertTrue(files.stream().noneMatch(f -> f.endsWith(".tmp")), "temporary files left: " + files);
    }

    private static void assertAbsent(Path p) throws IOException {
        assertFalse(Files.exists(p), p + " exists with " + list(p));
    }

    private static List<String> list(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(p)) {
            s.filter(Files::isRegularFile).forEach(f -> out.add(p.relativize(f).toString()));
        }
        return out;
    }
}
