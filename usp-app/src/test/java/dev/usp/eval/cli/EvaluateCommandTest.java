package dev.usp.eval.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.usp.eval.evaluate.FmnistFeatures;
import dev.usp.eval.evaluate.ImageSources;
import dev.usp.eval.evaluate.Images;
import dev.usp.eval.fdnet.Embeddings;
import dev.usp.eval.fdnet.FdFmnist;
import dev.usp.eval.io.NpyArray;
import dev.usp.eval.io.NpzFile;
import dev.usp.eval.io.NpzWriter;
import dev.usp.eval.metrics.FidStatistics;
import dev.usp.eval.metrics.FrechetDistance;
import dev.usp.eval.metrics.InceptionScore;
import dev.usp.eval.metrics.PrecisionRecall;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code usp evaluate} end to end on tiny inputs, against numpy/scipy values of scripts/fixtures/eval_cli.py. */
class EvaluateCommandTest {

    @TempDir
    Path tmp;

    private static void assertRel(double want, double got, double rel, String what) {
        assertEquals(want, got, rel * Math.max(1e-12, Math.abs(want)), what);
    }

    @Test
    void inceptionFromAdmReferenceMatchesNumpy() throws Exception {
        Path json = tmp.resolve("eval.json");
        CliRun r = CliRun.run("evaluate", "--features", "inception", "--inception",
                CliRun.fixture("tiny_inception.pt").toString(), "--samples", CliRun.fixture("images.npz").toString(),
                "--reference", CliRun.fixture("reference_adm.npz").toString(), "--out", json.toString());
        assertEquals(0, r.rc(), r.toString());
        assertMetricsMatchNumpy(CliRun.json(json).getAsJsonObject("metrics"));
        assertTrue(r.out().matches("(?s).*FID\\s+10\\.05.*"), r.out());
        assertTrue(r.out().contains("sFID not computed"), r.out());
        assertEquals("inception", CliRun.json(json).get("features").getAsString());
        assertEquals(40, CliRun.json(json).get("sampleCount").getAsInt());
    }

    @Test
    void pngFolderAndImageReferenceGiveTheSameNumbers() throws Exception {
        Path folder = tmp.resolve("pngs");
        Files.createDirectories(folder);
        ImageSources.open(CliRun.fixture("images.npz"), "arr_0").forEach(7, b -> writePngs(b, folder));
        Path json = tmp.resolve("eval.json");
        CliRun r = CliRun.run("evaluate", "--features=inception", "--inception",
                CliRun.fixture("tiny_inception.pt").toString(), "--samples", folder.toString(),
                "--reference", CliRun.fixture("images.npz").toString(), "--reference-key", "ref_images",
                "--out", json.toString());
        assertEquals(0, r.rc(), r.toString());
        assertMetricsMatchNumpy(CliRun.json(json).getAsJsonObject("metrics"));
    }

    /** FID, IS, precision and recall of {@code m} against the numpy/scipy values of the fixtures. */
    private static void assertMetricsMatchNumpy(JsonObject m) throws Exception {
        JsonObject want = CliRun.expected();
        assertRel(want.get("fid").getAsDouble(), m.get("FID").getAsDouble(), 1e-3, "FID");
        assertRel(want.get("is").getAsDouble(), m.get("IS").getAsDouble(), 1e-4, "IS");
        assertEquals(want.get("precision").getAsDouble(), m.get("precision").getAsDouble(), 1e-12);
        assertEquals(want.get("recall").getAsDouble(), m.get("recall").getAsDouble(), 1e-12);
    }

    private static int imageCounter;

    private static void writePngs(Images b, Path dir) throws java.io.IOException {
        for (int n = 0; n < b.count(); n++) {
            BufferedImage img = new BufferedImage(b.width(), b.height(), BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < b.height(); y++) {
                for (int x = 0; x < b.width(); x++) {
                    int o = ((n * b.height() + y) * b.width() + x) * 3;
                    img.setRGB(x, y, (b.nhwc()[o] & 0xff) << 16 | (b.nhwc()[o + 1] & 0xff) << 8 | (b.nhwc()[o + 2] & 0xff));
                }
            }
            ImageIO.write(img, "png", dir.resolve(String.format("%04d.png", imageCounter++)).toFile());
        }
    }

    /** Grey 28x28 images are padded to 32x32 and scored as FD-FMNIST/IS-FMNIST, equal to the FdFmnist API's values. */
    @Test
    void fmnistMetricsEqualTheFdFmnistApi() throws Exception {
        Path weights = fixture("/fixtures/fdnet/weights.safetensors");
        Path samples = greyImages(tmp.resolve("samples.npz"), 30, 1);
        Path reference = greyImages(tmp.resolve("reference.npz"), 36, 2);
        Path json = tmp.resolve("eval.json");
        CliRun r = CliRun.run("evaluate", "--fdnet", weights.toString(), "--samples", samples.toString(),
                "--reference", reference.toString(), "--out", json.toString());
        assertEquals(0, r.rc(), r.toString());
        JsonObject m = CliRun.json(json).getAsJsonObject("metrics");
        assertTrue(!m.has("FID") && !m.has("IS"), m.toString());

        try (FdFmnist fd = FdFmnist.load(weights, Device.cpu()); NDManager nm = NDManager.newBaseManager()) {
            Embeddings s = fd.embed(FmnistFeatures.toNet(read(samples), nm));
            Embeddings ref = fd.embed(FmnistFeatures.toNet(read(reference), nm));
            double fdWant = FrechetDistance.compute(FidStatistics.compute(s.features()),
                    FidStatistics.compute(ref.features()));
            assertRel(fdWant, m.get("FD-FMNIST").getAsDouble(), 1e-6, "FD-FMNIST");
            assertRel(InceptionScore.compute(s.probabilities(), 3), m.get("IS-FMNIST").getAsDouble(), 1e-6, "IS-FMNIST");
            PrecisionRecall.Result pr = PrecisionRecall.compute(ref.features(), s.features());
            assertEquals(pr.precision(), m.get("precision-FMNIST").getAsDouble(), 1e-12);
            assertEquals(pr.recall(), m.get("recall-FMNIST").getAsDouble(), 1e-12);
            assertNotEquals(0.0, fdWant);
        }
        assertTrue(r.out().contains("FD-FMNIST") && !r.out().contains(" FID "), r.out());

        // the same images as grey PNG files give the same numbers
        Path folder = tmp.resolve("grey-pngs");
        Files.createDirectories(folder);
        Images grey = read(samples);
        for (int n = 0; n < grey.count(); n++) {
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    img.getRaster().setSample(x, y, 0, grey.nhwc()[(n * 28 + y) * 28 + x] & 0xff);
                }
            }
            ImageIO.write(img, "png", folder.resolve(String.format("%03d.png", n)).toFile());
        }
        Path json2 = tmp.resolve("eval-png.json");
        CliRun fromPngs = CliRun.run("evaluate", "--fdnet", weights.toString(), "--samples", folder.toString(),
                "--reference", reference.toString(), "--out", json2.toString());
        assertEquals(0, fromPngs.rc(), fromPngs.toString());
        assertEquals(m, CliRun.json(json2).getAsJsonObject("metrics"));
    }

    /** A file of usp-eval's test resources, e.g. {@code /fixtures/eval_metrics/features.npz}. */
    private static Path fixture(String resource) {
        return Path.of("../usp-eval/src/test/resources" + resource);
    }

    private static Images read(Path npz) throws Exception {
        try (NpzFile f = NpzFile.open(npz)) {
            NpyArray a = f.read(NpzFile.DEFAULT_KEY);
            long[] s = a.shape();
            return new Images(a.data(), (int) s[0], (int) s[1], (int) s[2], (int) s[3]);
        }
    }

    private static Path greyImages(Path file, int n, long seed) throws Exception {
        Random rng = new Random(seed);
        byte[] px = new byte[n * 28 * 28];
        for (int i = 0; i < n; i++) {
            int level = 40 + rng.nextInt(180);
            int lo = 4 + rng.nextInt(8);
            int hi = 16 + rng.nextInt(10);
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    boolean inside = y >= lo && y < hi + 4 && x >= lo && x < hi;
                    px[(i * 28 + y) * 28 + x] = (byte) (inside ? Math.min(255, level + rng.nextInt(30)) : rng.nextInt(10));
                }
            }
        }
        NpzWriter.write(file, Map.of(NpzFile.DEFAULT_KEY, NpyArray.ofUint8(px, n, 28, 28, 1)));
        return file;
    }

    @Test
    void badInputsFailWithMessagesNamingThem() throws Exception {
        String pt = CliRun.fixture("tiny_inception.pt").toString();
        String images = CliRun.fixture("images.npz").toString();
        Path missing = tmp.resolve("nope.npz");
        CliRun r = CliRun.run("evaluate", "--features", "inception", "--inception", pt, "--samples", missing.toString(),
                "--reference", images, "--reference-key", "ref_images", "--out", tmp.resolve("a.json").toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains(missing.toString()), r.err());

        r = CliRun.run("evaluate", "--features", "inception", "--inception", pt, "--samples", images,
                "--samples-key", "images", "--reference", images, "--out", tmp.resolve("b.json").toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("no array 'images'") && r.err().contains("arr_0"), r.err());

        Path floats = tmp.resolve("floats.npz");
        NpzWriter.write(floats, Map.of("arr_0", NpyArray.of(new float[2 * 4 * 4 * 3], 2, 4, 4, 3)));
        r = CliRun.run("evaluate", "--features", "inception", "--inception", pt, "--samples", floats.toString(),
                "--reference", images, "--out", tmp.resolve("c.json").toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("expected uint8 images"), r.err());

        r = CliRun.run("evaluate", "--features", "inception", "--samples", images, "--reference", images);
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("--inception FILE"), r.err());

        // the 24-d reference statistics of the tiny Inception do not fit the Fashion-MNIST net's features
        Path grey = greyImages(tmp.resolve("grey.npz"), 8, 3);
        r = CliRun.run("evaluate", "--fdnet", fixture("/fixtures/fdnet/weights.safetensors").toString(), "--samples", grey.toString(),
                "--reference", CliRun.fixture("reference_adm.npz").toString(), "--reference-key", "none",
                "--out", tmp.resolve("d.json").toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("dimension 24"), r.err());
        assertTrue(!Files.exists(tmp.resolve("d.json")));
    }
}
