package dev.usp.eval.fdnet;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.usp.core.data.Batch;
import dev.usp.core.data.FashionMnist;
import dev.usp.eval.metrics.FeatureMatrix;
import dev.usp.eval.metrics.FidStatistics;
import dev.usp.eval.metrics.FrechetDistance;
import dev.usp.eval.metrics.InceptionScore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * FD-FMNIST and IS-FMNIST: the Frechet distance in {@link FmnistFeatureNet}'s penultimate
 * features, and an Inception-Score-like score of its softmax. They stand in for FID and IS on
 * the embedded Fashion-MNIST default, where Inception-v3 is not available; reports must use
 * these names, never FID/IS.
 *
 * <pre>{@code
 * try (FdFmnist fd = FdFmnist.load(weights, Device.cpu())) {
 *     FidStatistics ref = fd.referenceStatistics(null, FashionMnist.Split.TRAIN, FdFmnist.referenceCache(weights, TRAIN));
 *     FdFmnist.Accumulator acc = fd.accumulator();
 *     for (NDArray images : generated) {  // (n, 1, 32, 32) in [-1, 1]
 *         acc.add(images);
 *     }
 *     FmnistScores s = FdFmnist.score(acc.result(), ref);
 * }
 * }</pre>
 *
 * Images are clamped to [-1, 1] before the net sees them, as writing them to 8 bits would.
 */
public final class FdFmnist implements AutoCloseable {

    /** The report name of the Frechet distance. */
    public static final String FD_NAME = "FD-FMNIST";
    /** The report name of the Inception-Score-like score. */
    public static final String IS_NAME = "IS-FMNIST";
    /** Splits of the IS-FMNIST average (torchvision-era IS convention). */
    public static final int IS_SPLITS = 10;
    /** Images per forward pass unless told otherwise. */
    public static final int DEFAULT_BATCH = 500;

    private final FmnistFeatureNet net;
    private final String weightsId;
    private final int batchSize;

    /**
     * Wraps a net (closed with this object).
     *
     * @param weightsId what identifies the weights in reference caches (the weight file's SHA-256)
     * @param batchSize images per forward pass
     */
    public FdFmnist(FmnistFeatureNet net, String weightsId, int batchSize) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.net = net;
        this.weightsId = weightsId;
        this.batchSize = batchSize;
        net.eval();
    }

    /** Loads a weight file written by {@code usp train-fdnet} onto {@code device}. */
    public static FdFmnist load(Path weights, Device device) throws IOException {
        return new FdFmnist(FdNetWeights.load(weights, device), FdNetWeights.sha256(weights), DEFAULT_BATCH);
    }

    /** The default reference cache of a weight file: {@code <weights dir>/fmnist-featnet.ref-train.npz}. */
    public static Path referenceCache(Path weights, FashionMnist.Split split) {
        String name = FdNetWeights.cardFile(weights).getFileName().toString();
        String stem = name.substring(0, name.length() - ".json".length());
        return weights.resolveSibling(stem + ".ref-" + split.name().toLowerCase() + ".npz");
    }

    /** The net. */
    public FmnistFeatureNet net() {
        return net;
    }

    /** What identifies the weights (the SHA-256 of the weight file when loaded from one). */
    public String weightsId() {
        return weightsId;
    }

    /** Feature dimension D. */
    public int featureDim() {
        return net.featureDim();
    }

    /** Features and softmax of images (N, 1, 32, 32) in [-1, 1], computed in batches. */
    public Embeddings embed(NDArray images) {
        Accumulator acc = accumulator();
        acc.add(images);
        return acc.result();
    }

    /** Features and softmax of rows {@code [0, limit)} of a Fashion-MNIST split (all when limit is 0). */
    public Embeddings embed(FashionMnist data, int limit) {
        int n = limit == 0 ? data.size() : Math.min(limit, data.size());
        Accumulator acc = accumulator();
        for (int from = 0; from < n; from += batchSize) {
            try (NDManager scope = net.manager().newSubManager()) {
                Batch b = FmnistBatches.batch(data, FmnistBatches.range(from, Math.min(n, from + batchSize)), scope);
                acc.add(b.images());
            }
        }
        return acc.result();
    }

    /**
     * The mean and covariance of the features of a whole Fashion-MNIST split, read from
     * {@code cache} when it was written for these weights, else computed and written there.
     *
     * @param dataDir the IDX folder, or null for {@link FashionMnist#DEFAULT_DIR}
     */
    public FidStatistics referenceStatistics(Path dataDir, FashionMnist.Split split, Path cache) throws IOException {
        return FmnistReference.loadOrCompute(this, dataDir, split, cache);
    }

    /** A collector of features over any number of image batches. */
    public Accumulator accumulator() {
        return new Accumulator();
    }

    /** Both scores of generated images against reference statistics. */
    public static FmnistScores score(Embeddings generated, FidStatistics reference) {
        return new FmnistScores(frechetDistance(generated, reference), inceptionScore(generated), generated.size());
    }

    /** FD-FMNIST: the Frechet distance between the statistics of {@code generated} and {@code reference}. */
    public static double frechetDistance(Embeddings generated, FidStatistics reference) {
        return FrechetDistance.compute(FidStatistics.compute(generated.features()), reference);
    }

    /** IS-FMNIST: {@link InceptionScore} over {@link #IS_SPLITS} consecutive splits of ceil(N / 10) rows. */
    public static double inceptionScore(Embeddings generated) {
        int n = generated.size();
        return InceptionScore.compute(generated.probabilities(), (n + IS_SPLITS - 1) / IS_SPLITS);
    }

    /** Closes the net. */
    @Override
    public void close() {
        net.close();
    }

    /** Features and softmax of image batches, in the order added. */
    public final class Accumulator {
        private float[] features = new float[0];
        private float[] probabilities = new float[0];
        private int rows;

        private Accumulator() {
        }

        /** Adds images (n, 1, 32, 32) in [-1, 1] from any manager and device; they are not modified. */
        public Accumulator add(NDArray images) {
            long n = images.getShape().dimension() == 0 ? 0 : images.getShape().get(0);
            for (long from = 0; from < n; from += batchSize) {
                try (NDManager scope = net.manager().newSubManager()) {
                    NDArray chunk = images.get(new NDIndex("{}:{}", from, Math.min(n, from + batchSize)));
                    chunk.attach(scope);
                    NDArray x = chunk.toDevice(net.device(), false).toType(DataType.FLOAT32, false);
                    x.attach(scope);
                    NDArray f = net.features(x.clip(-1, 1));       // (k, D)
                    NDArray p = net.logits(f).softmax(-1);         // (k, 10)
                    append(f.toFloatArray(), p.toFloatArray(), (int) f.getShape().get(0));
                }
            }
            return this;
        }

        private void append(float[] f, float[] p, int k) {
            int d = net.featureDim();
            features = grow(features, (rows + k) * d);
            probabilities = grow(probabilities, (rows + k) * FmnistFeatureNet.CLASSES);
            System.arraycopy(f, 0, features, rows * d, f.length);
            System.arraycopy(p, 0, probabilities, rows * FmnistFeatureNet.CLASSES, p.length);
            rows += k;
        }

        private static float[] grow(float[] a, int need) {
            return need <= a.length ? a : Arrays.copyOf(a, Math.max(need, 2 * a.length));
        }

        /** Images added so far. */
        public int size() {
            return rows;
        }

        /** The embeddings of every image added so far. */
        public Embeddings result() {
            return new Embeddings(
                    new FeatureMatrix(rows, net.featureDim(), Arrays.copyOf(features, rows * net.featureDim())),
                    new FeatureMatrix(rows, FmnistFeatureNet.CLASSES,
                            Arrays.copyOf(probabilities, rows * FmnistFeatureNet.CLASSES)));
        }
    }
}
