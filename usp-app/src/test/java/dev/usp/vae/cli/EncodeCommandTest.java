package dev.usp.vae.cli;

import dev.usp.app.EncodeCommand;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.data.FashionMnist;
import dev.usp.core.data.Pad;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;
import dev.usp.vae.cache.CacheManifest;
import dev.usp.vae.cache.DatasetImages;
import dev.usp.vae.cache.LabelledImages;
import dev.usp.vae.cache.LatentCache;
import dev.usp.vae.weights.VaeFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code usp encode} on 300 synthetic Fashion-MNIST-format images with a random-weight VAE:
 * the cache holds every image with its label, a second run keeps finished shards and completes
 * the missing one, and the stored moments are the VAE's moments of the padded images.
 */
class EncodeCommandTest {

    private static final int N = 300;
    /** Downsampling 4 like fmnist-tiny, smaller so that the test is quick. */
    private static final VaeConfig SMALL = new VaeConfig(8, List.of(1, 1, 2), 1, Set.of(), Set.of(), 4, true, 1, 1, 32,
            4, 0.5);

    @Test
    void encodesResumesAndKeepsLabels(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("fmnist");
        int[] labels = writeIdx(data, N, 11);
        Path vaeFile = dir.resolve("vae").resolve(VaeFiles.WEIGHTS);
        Files.createDirectories(vaeFile.getParent());
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = new AutoencoderKL(m.newSubManager(), SMALL)) {
            VaeFiles.save(vae, vaeFile, null);
            Path out = dir.resolve("cache");
            String[] args = {"--vae", vaeFile.toString(), "--out", out.toString(), "--data-dir", data.toString(),
                "--shard-size", "128", "--batch-size", "64"};
            assertEquals(0, new CommandLine(new EncodeCommand()).execute(args));
            Path shard0 = out.resolve("shard-00000.safetensors");
            Path shard2 = out.resolve("shard-00002.safetensors");
            assertTrue(Files.isRegularFile(out.resolve(CacheManifest.MANIFEST)));
            FileTime first = FileTime.fromMillis(1_000_000L);
            Files.setLastModifiedTime(shard0, first);
            Files.delete(shard2);
            Files.delete(out.resolve(CacheManifest.MANIFEST));

            assertEquals(0, new CommandLine(new EncodeCommand()).execute(args));
            assertEquals(first, Files.getLastModifiedTime(shard0), "a finished shard is kept");
            assertTrue(Files.isRegularFile(shard2), "the missing shard is written again");
            try (LatentCache cache = LatentCache.open(out, m)) {
                assertEquals(N, cache.size());
                assertEquals(0.5, cache.manifest().scaleFactor());
                assertEquals(List.of(8L, 8L, 8L), cache.manifest().momentsShape());
                for (int i = 0; i < N; i++) {
                    assertEquals(labels[i], cache.label(i), "label of image " + i);
                }
                LabelledImages source = new DatasetImages(FashionMnist.load(data, FashionMnist.Split.TRAIN),
                        Pad.all(2), 0);
                LabelledImages.Batch b = source.read(290, 4);
                NDArray x = m.create(b.images(), new Shape(4, 1, 32, 32));
                float[] expected = vae.encode(x).moments().toFloatArray();
                float[] expectedFlip = vae.encode(x.flip(3)).moments().toFloatArray();
                int per = expected.length / 4;
                for (int j = 0; j < 4; j++) {
                    float[] got = cache.moments(290 + j, false, m).toFloatArray();
                    float[] gotFlip = cache.moments(290 + j, true, m).toFloatArray();
                    for (int k = 0; k < per; k++) {
                        assertEquals(expected[j * per + k], got[k], 1e-4, "moments of image " + (290 + j));
                        assertEquals(expectedFlip[j * per + k], gotFlip[k], 1e-4, "flip moments of image " + (290 + j));
                    }
                }
                assertNotEquals(cache.moments(0, false, m).getFloat(0, 0, 0),
                        cache.moments(1, false, m).getFloat(0, 0, 0));
            }
        }
    }

    @Test
    void limitAndTestSplit(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("fmnist");
        writeIdx(data, 20, 3);
        Files.copy(data.resolve("train-images-idx3-ubyte"), data.resolve("t10k-images-idx3-ubyte"));
        Files.copy(data.resolve("train-labels-idx1-ubyte"), data.resolve("t10k-labels-idx1-ubyte"));
        Path vaeFile = dir.resolve("vae.safetensors");
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = new AutoencoderKL(m.newSubManager(), SMALL)) {
            VaeFiles.save(vae, vaeFile, null);
        }
        Path out = dir.resolve("cache");
        assertEquals(0, new CommandLine(new EncodeCommand()).execute("--vae", vaeFile.toString(), "--out",
                out.toString(), "--data-dir", data.toString(), "--split", "test", "--limit", "7", "--float16"));
        CacheManifest manifest = CacheManifest.read(out.resolve(CacheManifest.MANIFEST));
        assertEquals(7, manifest.images());
        assertEquals("F16", manifest.dtype());
        assertFalse(Files.exists(out.resolve("shard-00001.safetensors")));
    }

    @Test
    void vaeKeyPicksTheEntryOfAnAuthorsCheckpoint(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("fmnist");
        writeIdx(data, 4, 2);
        // {'model': sd, 'ema': sd + 1} from scripts/fixtures/vae_layouts.py, with a sidecar for its architecture
        Path vaeFile = Files.copy(Path.of("../usp-vae/src/test/resources/fixtures/vae/layouts/model_and_ema.ckpt"),
                dir.resolve("kl.ckpt"));
        Files.writeString(VaeFiles.sidecarOf(vaeFile), "{\"format\": \"usp-vae/1\", \"ch\": 4, \"ch_mult\": [1], "
                + "\"num_res_blocks\": 1, \"encoder_attn_resolutions\": [], \"decoder_attn_resolutions\": [], "
                + "\"z_channels\": 2, \"double_z\": true, \"in_channels\": 1, \"out_channels\": 1, "
                + "\"resolution\": 8, \"norm_groups\": 2, \"scale_factor\": 0.7}");
        Throwable[] failure = new Throwable[1];
        CommandLine ambiguous = new CommandLine(new EncodeCommand()).setExecutionExceptionHandler((ex, c, p) -> {
            failure[0] = ex;
            return 1;
        });
        Path out = dir.resolve("cache");
        assertEquals(1, ambiguous.execute("--vae", vaeFile.toString(), "--out", out.toString(), "--data-dir",
                data.toString()));
        assertTrue(failure[0].getMessage().contains("kl.ckpt") && failure[0].getMessage().contains("--vae-key")
                && failure[0].getMessage().contains("[model, ema]"), failure[0].getMessage());
        assertEquals(0, new CommandLine(new EncodeCommand()).execute("--vae", vaeFile.toString(), "--vae-key", "ema",
                "--out", out.toString(), "--data-dir", data.toString()));
        CacheManifest manifest = CacheManifest.read(out.resolve(CacheManifest.MANIFEST));
        assertEquals(4, manifest.images());
        assertEquals(List.of(4L, 32L, 32L), manifest.momentsShape(), "2 latent channels, no downsampling");
    }

    /** Writes uncompressed IDX train files of n random 28x28 images; returns the labels. */
    static int[] writeIdx(Path dir, int n, long seed) throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(seed);
        ByteBuffer img = ByteBuffer.allocate(16 + n * 28 * 28);
        img.putInt(0x00000803).putInt(n).putInt(28).putInt(28);
        byte[] px = new byte[n * 28 * 28];
        r.nextBytes(px);
        img.put(px);
        ByteBuffer lab = ByteBuffer.allocate(8 + n);
        lab.putInt(0x00000801).putInt(n);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(10);
            lab.put((byte) labels[i]);
        }
        Files.write(dir.resolve("train-images-idx3-ubyte"), img.array());
        Files.write(dir.resolve("train-labels-idx1-ubyte"), lab.array());
        return labels;
    }
}
