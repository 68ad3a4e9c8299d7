package dev.usp.core.data;

import dev.usp.core.engine.Seeds;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformsTest {

    /** A w x h image whose byte i is (i * 37 + 11) mod 256. */
    private static Image pattern(int w, int h, int c) {
        byte[] px = new byte[w * h * c];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 37 + 11);
        }
        return new Image(w, h, c, px);
    }

    @Test
    void flipMirrorsColumnsAndKeepsChannelOrder() {
        // 3x2 RGB: pixel (x, y) = (10x + y, 100 + x, 200 + y)
        byte[] px = new byte[3 * 2 * 3];
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                int i = (y * 3 + x) * 3;
                px[i] = (byte) (10 * x + y);
                px[i + 1] = (byte) (100 + x);
                px[i + 2] = (byte) (200 + y);
            }
        }
        Image img = new Image(3, 2, 3, px);
        Image f = new HorizontalFlip(1.0).apply(img, new SplittableRandom(1));
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                assertEquals(10 * (2 - x) + y, f.get(x, y, 0));
                assertEquals(100 + 2 - x, f.get(x, y, 1));
                assertEquals(200 + y, f.get(x, y, 2));
            }
        }
        assertArrayEquals(px, new HorizontalFlip(0.0).apply(img, new SplittableRandom(1)).pixels());
    }

    @Test
    void flipHappensAboutHalfTheTime() {
        Image img = pattern(4, 1, 1);
        int flips = 0;
        for (int i = 0; i < 2000; i++) {
            Image out = new HorizontalFlip(0.5).apply(img, Seeds.derive(7, i));
            flips += out.get(0, 0, 0) == img.get(3, 0, 0) ? 1 : 0;
        }
        assertTrue(flips > 900 && flips < 1100, "flips " + flips);
    }

    @Test
    void padTurnsFashionMnistInto32x32() {
        Image img = pattern(28, 28, 1);
        Image out = Pad.all(2).apply(img, null);
        assertEquals(32, out.width());
        assertEquals(32, out.height());
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                boolean inside = x >= 2 && x < 30 && y >= 2 && y < 30;
                assertEquals(inside ? img.get(x - 2, y - 2, 0) : 0, out.get(x, y, 0), "at " + x + "," + y);
            }
        }
    }

    @Test
    void admCenterCropOfShortSideSizedImageIsTheMiddle() {
        // 6x4 grey, values 0..23 row-major; short side 4 == size, so no resampling: columns 1..4.
        byte[] px = new byte[24];
        for (int i = 0; i < 24; i++) {
            px[i] = (byte) i;
        }
        Image out = new AdmCenterCrop(4).apply(new Image(6, 4, 1, px), null);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 7, 8, 9, 10, 13, 14, 15, 16, 19, 20, 21, 22}, out.pixels());
    }

    @Test
    void randomResizedCropBoxesStayInsideAndCoverTheScaleRange() {
        RandomResizedCrop t = RandomResizedCrop.mae(8);
        SplittableRandom rng = new SplittableRandom(3);
        double minFrac = 1;
        double maxFrac = 0;
        for (int i = 0; i < 1000; i++) {
            RandomResizedCrop.Box b = t.box(64, 48, rng);
            assertTrue(b.top() >= 0 && b.left() >= 0 && b.top() + b.height() <= 48 && b.left() + b.width() <= 64, b.toString());
            double frac = (double) b.width() * b.height() / (64 * 48);
            double ratio = (double) b.width() / b.height();
            if (frac < 0.999) {
                // a drawn box (not the fallback): the area fraction and ratio hold up to rounding to whole pixels
                assertTrue(frac > 0.2 * 0.9 && ratio > 0.75 * 0.9 && ratio < 4.0 / 3 * 1.1, b.toString());
            }
            minFrac = Math.min(minFrac, frac);
            maxFrac = Math.max(maxFrac, frac);
        }
        assertTrue(minFrac < 0.25 && maxFrac > 0.9, "fractions " + minFrac + ".." + maxFrac);
    }

    @Test
    void randomResizedCropFallsBackToARatioClampedCentreCrop() {
        // 100x10 cannot hold 90% of its area at a ratio <= 4/3: torchvision's fallback gives the
        // full height and width round(10 * 4/3) = 13, centred.
        RandomResizedCrop t = new RandomResizedCrop(8, 0.9, 1.0, 3.0 / 4, 4.0 / 3);
        assertEquals(new RandomResizedCrop.Box(0, 43, 10, 13), t.box(100, 10, new SplittableRandom(0)));
        assertEquals(new RandomResizedCrop.Box(43, 0, 13, 10), t.box(10, 100, new SplittableRandom(0)));
    }

    @Test
    void pipelineIsDeterministicUnderASeedAndGivesTheRequestedShape() {
        Transform t = Transform.compose(RandomResizedCrop.mae(16), new HorizontalFlip(0.5));
        Image img = pattern(23, 17, 3);
        Image a = t.apply(img, Seeds.derive(5, 0, 42));
        Image b = t.apply(img, Seeds.derive(5, 0, 42));
        Image c = t.apply(img, Seeds.derive(5, 1, 42));
        assertEquals(16, a.width());
        assertEquals(16, a.height());
        assertEquals(3, a.channels());
        assertArrayEquals(a.pixels(), b.pixels());
        assertFalse(Arrays.equals(a.pixels(), c.pixels()));
    }

    @Test
    void toTensorIsChwInMinusOneToOne() {
        // 2x1 RGB: pixels (0, 128, 255) and (255, 0, 51)
        Image img = new Image(2, 1, 3, new byte[] {0, (byte) 128, (byte) 255, (byte) 255, 0, 51});
        float[] t = new float[7];
        img.toTensor(t, 1);
        float mid = (128 / 255f - 0.5f) / 0.5f;
        float fifth = (51 / 255f - 0.5f) / 0.5f;
        assertArrayEquals(new float[] {0, -1, 1, mid, -1, 1, fifth}, t, 0f);
        // torch: (torch.tensor([128, 51], dtype=torch.uint8).float() / 255 - 0.5) / 0.5
        assertEquals(0.003921627998352051f, mid, 0f);
        assertEquals(-0.6000000238418579f, fifth, 0f);
    }

    @Test
    void greyBecomesThreeEqualChannels() {
        Image grey = pattern(3, 2, 1);
        Image rgb = new ToChannels(3).apply(grey, null);
        for (int i = 0; i < 6; i++) {
            for (int c = 0; c < 3; c++) {
                assertEquals(grey.pixels()[i], rgb.pixels()[3 * i + c]);
            }
        }
    }
}
