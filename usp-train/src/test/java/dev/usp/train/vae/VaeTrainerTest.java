package dev.usp.train.vae;

import ai.djl.ndarray.NDManager;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.config.DataConfig;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.config.RunConfig;
import dev.usp.core.data.Dataset;
import dev.usp.core.data.Image;
import dev.usp.core.data.Sample;
import dev.usp.core.data.Transform;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.train.loop.MetricsLog;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;
import dev.usp.vae.weights.VaeFiles;
import org.junit.jupiter.api.BeforeAll;
import dev.usp.train.tensorboard.EventReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The VAE trainer on a few hundred synthetic 16x16 images (bright rectangles on a dark ground)
 * with a tiny LDM autoencoder: the loss falls, outputs land in the run folder, and a resumed run
 * ends with the parameters of an uninterrupted one.
 */
class VaeTrainerTest {

    /** Downsampling 4, 4 latent channels, mid attention: the fmnist-tiny shape, much smaller. */
    private static final VaeConfig TINY = new VaeConfig(8, List.of(1, 1, 2), 1, Set.of(), Set.of(), 4, true, 1, 1, 16,
            4, 1.0);

    private static ImageTable train;
    private static ImageTable test;

    @BeforeAll
    static void data() {
        train = ImageTable.of(rectangles(256, 1), Transform.identity(), 0);
        test = ImageTable.of(rectangles(16, 2), Transform.identity(), 0);
    }

    /** Checkpoints only at the end; 16 images for the scale factor, grids of 8. */
    private static VaeTrainConfig config(Path root, String name, int steps) {
        return new VaeTrainConfig("custom", new DataConfig("images", null, null, "fmnist", null, 0, 0),
                new RunConfig(root, name, 2, 0, 2, false), new OptimConfig("adamw", 3e-3, 0, 0.0, 0.0, 0.5, 0.9, 0, 2,
                "constant"), 0, steps, 8, 1.0, "l1", 1e-6, 0.0, 16, 16, 8);
    }

    @Test
    void lossFallsAndOutputsAreWritten(@TempDir Path root) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            VaeTrainer.Result r = new VaeTrainer(config(root, "smoke", 14), TINY, 7, null).train(train, test, m, false);
            assertEquals(14, r.endStep());
            assertEquals(0, r.skippedUpdates());
            assertTrue(!r.stoppedByBudget());
            List<Map<String, Double>> rows = MetricsLog.read(r.run().metrics());
            double first = rows.get(0).get("rec_loss");
            double last = rows.get(6).get("rec_loss");
            assertTrue(last < 0.6 * first, "reconstruction loss should fall: first " + first + ", last " + last);
            assertEquals(r.testPsnr(), rows.get(rows.size() - 1).get("test_psnr"), 1e-9);
            assertTrue(r.testPsnr() > 8 && r.testPsnr() < 60, "PSNR " + r.testPsnr());
            for (String f : List.of("vae.safetensors", "vae.json", "reconstructions.png", "loss.png", "config.yaml")) {
                assertTrue(Files.isRegularFile(r.run().file(f)), f);
            }
            List<EventReader.Event> tb = EventReader.readDir(r.run().dir());
            EventReader.Event grid = tb.stream().filter(e -> e.kind().equals("image")).findFirst().orElseThrow();
            assertEquals("reconstructions", grid.tag());
            assertEquals(14, grid.step());
            assertArrayEquals(Files.readAllBytes(r.run().file(VaeTrainer.GRID)), grid.png());
            assertEquals(List.of("14 " + (float) r.testPsnr()), tb.stream().filter(e -> "test_psnr".equals(e.tag()))
                    .map(e -> e.step() + " " + e.value()).toList());
            try (AutoencoderKL vae = VaeFiles.load(r.run().dir(), m)) {
                assertEquals(TINY.withScaleFactor(r.scaleFactor()), vae.config());
            }
        }
    }

    @Test
    void resumedRunEqualsUninterruptedRun(@TempDir Path root) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            new VaeTrainer(config(root, "straight", 6), TINY, 3, null).train(train, test, m, false);
            new VaeTrainer(config(root, "split", 3), TINY, 3, null).train(train, test, m, false);
            VaeTrainer.Result resumed = new VaeTrainer(config(root, "split", 6), TINY, 3, null)
                    .train(train, test, m, true);
            assertEquals(3, resumed.startStep());
            assertEquals(6, resumed.endStep());
            try (StateDict a = SafeTensors.read(root.resolve("straight").resolve(VaeFiles.WEIGHTS), m);
                 StateDict b = SafeTensors.read(root.resolve("split").resolve(VaeFiles.WEIGHTS), m)) {
                assertEquals(a.keys(), b.keys());
                for (String key : a.keys()) {
                    assertArrayEquals(a.get(key).toFloatArray(), b.get(key).toFloatArray(), key);
                }
            }
        }
    }

    @Test
    void timeBudgetStopsWithACheckpoint(@TempDir Path root) throws IOException {
        VaeTrainConfig c = config(root, "budget", 50);
        VaeTrainConfig budget = new VaeTrainConfig(c.preset(), new DataConfig("images", null, null, "fmnist", null, 0,
                0), new RunConfig(root, "budget", 2, 0, 2, false), new OptimConfig("adamw", c.optim().lr(), 0, 0.0,
                0.0, 0.9, 0.999, 0, 2, "cosine"), 0, 50, 8, 1.0, "l2", 1e-6, 1e-9, 16, 16, 4);
        try (NDManager m = NDManager.newBaseManager()) {
            VaeTrainer.Result r = new VaeTrainer(budget, TINY, 1, null).train(train, test, m, false);
            assertEquals(1, r.endStep());
            assertTrue(r.stoppedByBudget(), "the result says the budget cut the run");
            assertTrue(Files.isRegularFile(r.run().checkpoints().resolve("last")));
        }
    }

    @Test
    void cosineScheduleAfterWarmup(@TempDir Path root) {
        VaeTrainConfig c = config(root, "lr", 102);
        VaeTrainConfig cosine = new VaeTrainConfig(c.preset(), new DataConfig("images", null, null, "fmnist", null, 0,
                0), new RunConfig(root, "lr", 2, 0, 2, false), new OptimConfig("adamw", 1e-3, 0, 1e-5, 0.0, 0.9,
                0.999, 0, 2, "cosine"), 0, 102, 8, 0.0, "l1", 1e-6, 0.0, 16, 16, 4);
        VaeTrainer t = new VaeTrainer(cosine, TINY, 1, null);
        assertEquals(0.5e-3, t.learningRate(0), 1e-15);
        assertEquals(1e-3, t.learningRate(2), 1e-15);
        assertEquals(1e-5 + (1e-3 - 1e-5) * 0.5, t.learningRate(52), 1e-15);
        assertEquals(1e-5 + (1e-3 - 1e-5) * 0.5 * (1 + Math.cos(Math.PI * 0.99)), t.learningRate(101), 1e-15);
        assertEquals(3e-3, new VaeTrainer(c, TINY, 1, null).learningRate(101), 1e-15);
    }

    @Test
    void yamlHoldsTheDefaults() {
        assertEquals(VaeTrainConfig.defaults(),
                ConfigLoader.load(VaeTrainConfig.class, Path.of("..", "configs", "fmnist", "vae.yaml"), List.of()));
    }

    /** n 16x16 grey images: a random bright rectangle on a dark background; label = its width class. */
    static Dataset rectangles(int n, long seed) {
        Random r = new Random(seed);
        Image[] images = new Image[n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            byte[] px = new byte[16 * 16];
            int x0 = r.nextInt(8);
            int y0 = r.nextInt(8);
            int w = 3 + r.nextInt(6);
            int h = 3 + r.nextInt(6);
            int v = 150 + r.nextInt(100);
            for (int y = y0; y < y0 + h; y++) {
                for (int x = x0; x < x0 + w; x++) {
                    px[y * 16 + x] = (byte) v;
                }
            }
            images[i] = new Image(16, 16, 1, px);
            labels[i] = w - 3;
        }
        return new Dataset() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public Sample get(int index) {
                return new Sample(images[index], labels[index]);
            }
        };
    }
}
