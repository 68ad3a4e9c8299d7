package dev.usp.vae;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.weights.StateDict;
import dev.usp.vae.cache.CacheManifest;
import dev.usp.vae.cache.LabelledImages;
import dev.usp.vae.cache.LatentCache;
import dev.usp.vae.cache.LatentCacheWriter;
import dev.usp.vae.weights.VaeWeights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The latent cache on ten synthetic 16x16 images with the tiny fixture VAE. */
class LatentCacheTest {

    private static final Shape CHW = new Shape(3, 16, 16);
    private static final int N = 10;

    private static NDManager manager;
    private static AutoencoderKL vae;
    private static float[] images;
    private static int[] labels;

    @BeforeAll
    static void setUp() throws IOException {
        manager = NDManager.newBaseManager();
        try (StateDict w = Fixtures.read("tiny", "ldm_prefixed", manager)) {
            vae = VaeWeights.load(w, Fixtures.TINY, manager);
        }
        Random r = new Random(1);
        images = new float[N * 3 * 16 * 16];
        for (int i = 0; i < images.length; i++) {
            images[i] = r.nextFloat() * 2 - 1;
        }
        labels = new int[N];
        for (int i = 0; i < N; i++) {
            labels[i] = 7 * i % 5;
        }
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    private static NDArray image(int i, NDManager m) {
        float[] one = new float[3 * 16 * 16];
        System.arraycopy(images, i * one.length, one, 0, one.length);
        return m.create(one, new Shape(1, 3, 16, 16));
    }

    @Test
    void storesMomentsOfImagesAndFlipsWithLabels(@TempDir Path dir) throws IOException {
        CacheManifest manifest = LatentCacheWriter.write(vae, LabelledImages.of(images, labels, CHW), dir,
                new LatentCacheWriter.Options(4, 3, false));
        assertEquals(3, manifest.shards().size());
        assertEquals(new CacheManifest.Shard("shard-00002.safetensors", 8, 2), manifest.shards().get(2));
        assertEquals(List.of(8L, 8L, 8L), manifest.momentsShape());
        try (LatentCache cache = LatentCache.open(dir, manager); NDManager m = manager.newSubManager()) {
            assertEquals(N, cache.size());
            for (int i = 0; i < N; i++) {
                assertEquals(labels[i], cache.label(i));
                NDArray x = image(i, m);
                Fixtures.assertClose("moments " + i, vae.encode(x).moments().squeeze(0), cache.moments(i, false, m));
                Fixtures.assertClose("flip " + i, vae.encode(x.flip(3)).moments().squeeze(0), cache.moments(i, true, m));
            }
        }
    }

    @Test
    void float16StorageIsCloseToFloat32(@TempDir Path dir) throws IOException {
        LatentCacheWriter.write(vae, LabelledImages.of(images, labels, CHW), dir, new LatentCacheWriter.Options(16, 4, true));
        try (LatentCache cache = LatentCache.open(dir, manager); NDManager m = manager.newSubManager()) {
            assertEquals("F16", cache.manifest().dtype());
            float[] expected = vae.encode(image(3, m)).moments().toFloatArray();
            float[] actual = cache.moments(3, false, m).toFloatArray();
            for (int k = 0; k < expected.length; k++) {
                assertEquals(expected[k], actual[k], 1e-3 * Math.max(1, Math.abs(expected[k])), "element " + k);
            }
        }
    }

    @Test
    void samplesPickImageOrFlipAndDrawFreshNoise(@TempDir Path dir) throws IOException {
        LatentCacheWriter.write(vae, LabelledImages.of(images, labels, CHW), dir, new LatentCacheWriter.Options(4, 4, false));
        int[] idx = {9, 0, 3, 3, 5, 1, 8, 2};
        try (LatentCache cache = LatentCache.open(dir, manager); NDManager m = manager.newSubManager()) {
            Engine.getInstance().setRandomSeed(11);
            LatentCache.Batch batch = cache.sample(idx, new Random(5), m);
            assertEquals(new Shape(8, 4, 8, 8), batch.latents().getShape());
            // Replay: the same flips from Random(5), the same noise from the engine seed.
            Random flips = new Random(5);
            List<NDArray> expected = new ArrayList<>();
            int flipped = 0;
            for (int i : idx) {
                boolean f = flips.nextBoolean();
                flipped += f ? 1 : 0;
                expected.add(cache.moments(i, f, m).expandDims(0));
                assertEquals(labels[i], batch.labels()[expected.size() - 1]);
            }
            assertTrue(flipped > 0 && flipped < idx.length, "both the images and their flips were used");
            DiagonalGaussian post = DiagonalGaussian.fromMoments(ai.djl.ndarray.NDArrays.concat(
                    new ai.djl.ndarray.NDList(expected), 0));
            Engine.getInstance().setRandomSeed(11);
            NDArray noise = m.randomNormal(post.mean().getShape(), DataType.FLOAT32);
            Fixtures.assertClose("latents", post.sample(noise).mul(0.18215), batch.latents());
            LatentCache.Batch again = cache.sample(idx, new Random(5), m);
            assertFalse(again.latents().contentEquals(batch.latents()), "a fresh posterior sample each time");
        }
    }

    @Test
    void resumesBySkippingFinishedShardsAndRefusesOtherSettings(@TempDir Path dir) throws IOException {
        LabelledImages source = LabelledImages.of(images, labels, CHW);
        LatentCacheWriter.Options options = new LatentCacheWriter.Options(4, 4, false);
        LatentCacheWriter.write(vae, source, dir, options);
        byte[] shard0 = Files.readAllBytes(dir.resolve("shard-00000.safetensors"));
        // Simulate a run that died after shard 0: shards 1, 2 and the manifest are gone.
        Files.delete(dir.resolve("shard-00001.safetensors"));
        Files.delete(dir.resolve("shard-00002.safetensors"));
        Files.delete(dir.resolve(CacheManifest.MANIFEST));
        IOException unfinished = assertThrows(IOException.class, () -> LatentCache.open(dir, manager));
        assertTrue(unfinished.getMessage().contains("unfinished"), unfinished.getMessage());

        List<Integer> starts = new ArrayList<>();
        LabelledImages recording = new LabelledImages() {
            @Override
            public int size() {
                return source.size();
            }

            @Override
            public Shape imageShape() {
                return CHW;
            }

            @Override
            public Batch read(int start, int count) {
                starts.add(start);
                return source.read(start, count);
            }
        };
        LatentCacheWriter.write(vae, recording, dir, options);
        assertEquals(List.of(4, 8), starts, "only the missing shards were encoded");
        assertArrayEquals(shard0, Files.readAllBytes(dir.resolve("shard-00000.safetensors")));
        try (LatentCache cache = LatentCache.open(dir, manager)) {
            assertEquals(N, cache.size());
        }
        IOException other = assertThrows(IOException.class, () -> LatentCacheWriter.write(vae, source, dir,
                new LatentCacheWriter.Options(5, 4, false)));
        assertTrue(other.getMessage().contains("other settings"), other.getMessage());
    }

    @Test
    void imagesThatDoNotFitFailBeforeWriting(@TempDir Path dir) {
        LabelledImages gray = LabelledImages.of(new float[2 * 16 * 16], new int[2], new Shape(1, 16, 16));
        assertThrows(IllegalArgumentException.class, () -> LatentCacheWriter.write(vae, gray, dir.resolve("c"),
                LatentCacheWriter.Options.defaults()));
        assertFalse(Files.exists(dir.resolve("c")));
    }
}
