package dev.usp.eval.fdnet;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.data.FashionMnist;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.eval.io.NpzFile;
import dev.usp.eval.metrics.FeatureMatrix;
import dev.usp.eval.metrics.FidStatistics;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FD-FMNIST and IS-FMNIST with the PyTorch-checked fixture net (6-d features). */
class FdFmnistTest {

    private static NDManager manager;
    private static FdFmnist fd;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() throws Exception {
        manager = NDManager.newBaseManager();
        fd = FdFmnist.load(FmnistFeatureNetTest.fixture("weights.safetensors"), Device.cpu());
    }

    @AfterAll
    static void close() {
        fd.close();
        manager.close();
    }

    /** n images with pixels uniform in [lo, hi] (clamped to [-1, 1] by the scorer). */
    private static NDArray images(NDManager m, int n, long seed, float lo, float hi) {
        Random r = new Random(seed);
        float[] px = new float[n * 32 * 32];
        for (int i = 0; i < px.length; i++) {
            px[i] = lo + (hi - lo) * r.nextFloat();
        }
        return m.create(px, new Shape(n, 1, 32, 32));
    }

    @Test
    void embeddingsMatchPyTorch() throws Exception {
        try (NDManager m = manager.newSubManager();
             StateDict io = SafeTensors.read(FmnistFeatureNetTest.fixture("io.safetensors"), m)) {
            Embeddings e = fd.embed(io.get("x"));
            assertEquals(3, e.size());
            assertArrayEquals(io.get("features").toFloatArray(), e.features().data(), 1e-5f);
            assertArrayEquals(io.get("softmax").toFloatArray(), e.probabilities().data(), 1e-6f);
            assertEquals(6, e.featureRows()[2].length);
            assertEquals(io.get("features").toFloatArray()[6], e.featureRows()[1][0], 1e-5);
        }
    }

    @Test
    void fdOfASetAgainstItselfIsZeroAndAShiftedSetIsFarther() {
        try (NDManager m = manager.newSubManager()) {
            Embeddings a = fd.embed(images(m, 400, 1, -1f, 1f));
            Embeddings same = fd.embed(images(m, 400, 2, -1f, 1f));
            Embeddings shifted = fd.embed(images(m, 400, 3, -0.2f, 1f));
            FidStatistics ref = FidStatistics.compute(a.features());
            double self = FdFmnist.frechetDistance(a, ref);
            double sameDistribution = FdFmnist.frechetDistance(same, ref);
            double shift = FdFmnist.frechetDistance(shifted, ref);
            double scale = 0;
            for (int i = 0; i < ref.dim(); i++) {
                scale += ref.sigma()[i * ref.dim() + i];
            }
            assertEquals(0, self, 1e-9 * scale, "FD of a set against its own statistics");
            assertTrue(sameDistribution > 0 && shift > 10 * sameDistribution,
                    "same distribution " + sameDistribution + ", shifted " + shift);
        }
    }

    @Test
    void deterministicAndIndependentOfBatching() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = images(m, 50, 4, -1f, 1f);
            Embeddings once = fd.embed(x);
            assertArrayEquals(once.features().data(), fd.embed(x).features().data());
            FdFmnist small = new FdFmnist(fd.net(), fd.weightsId(), 7);  // shares fd's net: not closed here
            Embeddings batched = small.accumulator()
                    .add(x.get(new NDIndex("0:20"))).add(x.get(new NDIndex("20:"))).result();
            assertEquals(50, batched.size());
            assertArrayEquals(once.features().data(), batched.features().data(), 1e-5f);
            assertArrayEquals(once.probabilities().data(), batched.probabilities().data(), 1e-6f);
        }
    }

    @Test
    void imagesAreClampedToTheUnitRange() {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = images(m, 20, 5, -3f, 3f);
            assertArrayEquals(fd.embed(x.clip(-1, 1)).features().data(), fd.embed(x).features().data());
        }
    }

    @Test
    void embeddingLeavesTheNetManagerClean() {
        int before = fd.net().manager().getManagedArrays().size();
        try (NDManager m = manager.newSubManager()) {
            fd.embed(images(m, 30, 6, -1f, 1f));
        }
        assertEquals(before, fd.net().manager().getManagedArrays().size());
    }

    @Test
    void isFmnistAveragesTenConsecutiveSplits() {
        // 100 one-hot rows: classes 0..9 cycling gives 10 per split; 50 x class 0 then 50 x class 1
        // makes every split of 10 rows single-class, so its score is 1 (one split would give 2).
        float[] cycling = new float[1000];
        float[] blocks = new float[1000];
        for (int i = 0; i < 100; i++) {
            cycling[i * 10 + i % 10] = 1;
            blocks[i * 10 + (i < 50 ? 0 : 1)] = 1;
        }
        FeatureMatrix feats = new FeatureMatrix(100, 1, new float[100]);
        assertEquals(10.0, FdFmnist.inceptionScore(new Embeddings(feats, new FeatureMatrix(100, 10, cycling))), 1e-9);
        assertEquals(1.0, FdFmnist.inceptionScore(new Embeddings(feats, new FeatureMatrix(100, 10, blocks))), 1e-9);
    }

    @Test
    void scoresCarryTheirReportNames() {
        FmnistScores s = new FmnistScores(1.5, 7.25, 100);
        assertEquals(1.5, s.asMetrics().get("FD-FMNIST"));
        assertEquals(7.25, s.asMetrics().get("IS-FMNIST"));
        assertEquals("FD-FMNIST 1.5000, IS-FMNIST 7.2500 (100 samples)", s.toString());
    }

    @Test
    void referenceStatisticsAreCachedPerWeights() throws Exception {
        FmnistData.require();
        Path cache = tmp.resolve("ref-test.npz");
        FidStatistics first = fd.referenceStatistics(null, FashionMnist.Split.TEST, cache);
        assertTrue(Files.isRegularFile(cache));
        assertEquals(fd.weightsId(), weightsIdOf(cache));
        assertArrayEquals(first.sigma(), fd.referenceStatistics(null, FashionMnist.Split.TEST, cache).sigma());

        Embeddings some = fd.embed(FashionMnist.load(null, FashionMnist.Split.TEST), 500);
        assertEquals(500, some.size());
        assertTrue(FdFmnist.frechetDistance(some, first) > 0, "500 test images against all 10,000");

        try (FdFmnist other = FdFmnist.load(FmnistFeatureNetTest.fixture("weights.safetensors"), Device.cpu())) {
            FdFmnist renamed = new FdFmnist(other.net(), "other-weights", 1000);  // closed with 'other'
            FidStatistics again = renamed.referenceStatistics(null, FashionMnist.Split.TEST, cache);
            assertEquals("other-weights", weightsIdOf(cache));
            assertArrayEquals(first.mu(), again.mu(), 1e-9);
        }
    }

    private static String weightsIdOf(Path cache) throws Exception {
        try (NpzFile npz = NpzFile.open(cache)) {
            return new String(npz.read("weights_id").data(), StandardCharsets.UTF_8);
        }
    }
}
