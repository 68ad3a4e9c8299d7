package dev.usp.train.data;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.usp.core.data.Dataset;
import dev.usp.core.data.HorizontalFlip;
import dev.usp.core.data.Image;
import dev.usp.core.data.Sample;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pretraining latents encoded from images by a tiny random VAE (8x8x1 -> 4x4x4, scale 0.5): each
 * row of a batch is the VAE's posterior mean x scale of its image or of the image's mirror,
 * encoded directly; no gradient reaches the VAE, which is in eval mode, and a batch is a function
 * of (seed, step).
 */
class ImageLatentBatchesTest {

    private static final int SIDE = 8;
    private static final int IMAGES = 12;
    private static final VaeConfig TINY = new VaeConfig(8, List.of(1, 2), 1, Set.of(), Set.of(), 4, true, 1, 1, SIDE,
            4, 0.5);

    private static NDManager manager;
    private static AutoencoderKL vae;

    /** Asymmetric grey images (a ramp plus a bright pixel left of centre), label i % 3. */
    private static final Dataset DATA = new Dataset() {
        @Override
        public int size() {
            return IMAGES;
        }

        @Override
        public Sample get(int index) {
            byte[] px = new byte[SIDE * SIDE];
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    px[y * SIDE + x] = (byte) ((17 * index + 29 * x + 5 * y) % 200);
                }
            }
            px[(index % SIDE) * SIDE + 1] = (byte) 255;
            return new Sample(new Image(SIDE, SIDE, 1, px), index % 3);
        }
    };

    @BeforeAll
    static void vae() {
        Engine.getInstance().setRandomSeed(11);
        manager = NDManager.newBaseManager();
        vae = new AutoencoderKL(manager.newSubManager(), TINY);
    }

    @AfterAll
    static void close() {
        vae.close();
        manager.close();
    }

    /** The image as (1, 1, H, W) in [-1, 1], mirrored when asked. */
    private static NDArray tensor(int index, boolean mirror, NDManager m) {
        Image img = DATA.get(index).image();
        float[] px = new float[SIDE * SIDE];
        (mirror ? HorizontalFlip.flip(img) : img).toTensor(px, 0);
        return m.create(px, new Shape(1, 1, SIDE, SIDE));
    }

    @Test
    void rowsAreTheScaledPosteriorMeansOfTheImagesOrTheirMirrors() {
        ImageLatentBatches source = new ImageLatentBatches(vae, DATA, new HorizontalFlip(0.5), 0, 6, 5);
        assertFalse(vae.isTraining(), "the frozen VAE runs in eval mode");
        assertEquals(new Shape(4, 4, 4), source.latentShape());
        assertEquals(2, source.batchesPerEpoch());
        int mirrored = 0;
        int plain = 0;
        try (NDManager m = manager.newSubManager()) {
            for (long step = 0; step < 4; step++) {
                LatentBatches.Batch b = source.batch(step, m);
                int[] indices = new EpochOrder(IMAGES, 6, 5).indices(step);
                assertEquals(new Shape(6, 4, 4, 4), b.latents().getShape());
                long[] labels = b.labels().toLongArray();
                for (int j = 0; j < indices.length; j++) {
                    assertEquals(indices[j] % 3, labels[j], "label of row " + j);
                    float[] row = b.latents().get(j).toFloatArray();
                    float[] direct = vae.encode(tensor(indices[j], false, m)).mean().mul(0.5).toFloatArray();
                    float[] directMirror = vae.encode(tensor(indices[j], true, m)).mean().mul(0.5).toFloatArray();
                    double toPlain = maxAbsDiff(row, direct);
                    double toMirror = maxAbsDiff(row, directMirror);
                    assertTrue(Math.min(toPlain, toMirror) < 1e-6, "step " + step + " row " + j + ": " + toPlain
                            + " from the image, " + toMirror + " from its mirror");
                    assertTrue(maxAbsDiff(direct, directMirror) > 1e-3, "the images are not symmetric");
                    if (toPlain < toMirror) {
                        plain++;
                    } else {
                        mirrored++;
                    }
                }
            }
        }
        assertTrue(plain > 3 && mirrored > 3, plain + " plain and " + mirrored + " mirrored rows of 24 (p = 0.5)");
    }

    @Test
    void aBatchIsAFunctionOfSeedAndStep() {
        ImageLatentBatches source = new ImageLatentBatches(vae, DATA, new HorizontalFlip(0.5), 0, 4, 9);
        try (NDManager m = manager.newSubManager()) {
            assertArrayEquals(source.batch(7, m).latents().toFloatArray(), source.batch(7, m).latents().toFloatArray());
        }
    }

    @Test
    void noGradientReachesTheFrozenVaeEvenWhileRecording() {
        ImageLatentBatches source = new ImageLatentBatches(vae, DATA, new HorizontalFlip(0.5), 0, 4, 9);
        try (NDManager m = manager.newSubManager()) {
            NDArray w = m.ones(new Shape(1));
            w.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(source.batch(7, m).latents().mul(w).sum());
            }
            assertEquals(0.0, vaeGradientSum(m), "VAE gradients after a loss on the batch");
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(vae.encodeMeanLatents(tensor(0, false, m)).mul(w).sum());
            }
            assertTrue(vaeGradientSum(m) > 0, "a recorded encoding would have reached the VAE");
        }
    }

    /** Sum of |gradient| over the VAE's parameters (handles attached to {@code m}). */
    private static double vaeGradientSum(NDManager m) {
        double sum = 0;
        for (var p : vae.trainableParameters().values()) {
            NDArray g = p.array().getGradient();
            g.attach(m);
            sum += g.abs().sum().getFloat();
        }
        return sum;
    }

    @Test
    void imagesThatDoNotFitTheVaeAreRefused() {
        Dataset odd = new Dataset() {
            @Override
            public int size() {
                return 4;
            }

            @Override
            public Sample get(int index) {
                return new Sample(new Image(7, 7, 1, new byte[49]), 0);
            }
        };
        assertThrows(IllegalArgumentException.class,
                () -> new ImageLatentBatches(vae, odd, new HorizontalFlip(0.5), 0, 2, 1));
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}
