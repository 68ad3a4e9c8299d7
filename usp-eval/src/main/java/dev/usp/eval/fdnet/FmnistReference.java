package dev.usp.eval.fdnet;

import dev.usp.core.data.FashionMnist;
import dev.usp.eval.io.NpyArray;
import dev.usp.eval.io.NpzFile;
import dev.usp.eval.io.NpzWriter;
import dev.usp.eval.metrics.FidStatistics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reference statistics of real Fashion-MNIST images for FD-FMNIST, cached in an .npz with
 * {@code mu} (D) float64, {@code sigma} (D, D) float64, {@code images} (1) int64 and
 * {@code weights_id} (the weights' identifier as UTF-8 bytes, uint8). A cache written for other
 * weights or another feature dimension is recomputed and replaced.
 */
final class FmnistReference {

    private static final Logger LOG = LoggerFactory.getLogger(FmnistReference.class);

    private FmnistReference() {
    }

    static FidStatistics loadOrCompute(FdFmnist fd, Path dataDir, FashionMnist.Split split, Path cache)
            throws IOException {
        if (Files.isRegularFile(cache)) {
            FidStatistics cached = read(cache, fd);
            if (cached != null) {
                return cached;
            }
        }
        FashionMnist data = FashionMnist.load(dataDir, split);
        long start = System.nanoTime();
        FidStatistics stats = FidStatistics.compute(fd.embed(data, 0).features());
        LOG.info("{} reference statistics of {} {} images computed in {} s; caching them in {}", FdFmnist.FD_NAME,
                data.size(), split, String.format("%.1f", (System.nanoTime() - start) / 1e9), cache);
        byte[] id = fd.weightsId().getBytes(StandardCharsets.UTF_8);
        NpzWriter.write(cache, npz -> {
            stats.write(npz, "mu", "sigma");
            npz.put("images", NpyArray.of(new long[] {data.size()}, 1));
            npz.put("weights_id", NpyArray.ofUint8(id, id.length));
        });
        return stats;
    }

    /** The cached statistics, or null when the cache belongs to other weights. */
    private static FidStatistics read(Path cache, FdFmnist fd) throws IOException {
        try (NpzFile npz = NpzFile.open(cache)) {
            String id = npz.contains("weights_id")
                    ? new String(npz.read("weights_id").data(), StandardCharsets.UTF_8) : "";
            if (!id.equals(fd.weightsId())) {
                LOG.warn("{} was computed with weights '{}', not '{}': recomputing it", cache, id, fd.weightsId());
                return null;
            }
            FidStatistics stats = FidStatistics.read(npz, "mu", "sigma");
            if (stats.dim() != fd.featureDim()) {
                LOG.warn("{} holds {}-d statistics, the net has {}-d features: recomputing it", cache,
                        stats.dim(), fd.featureDim());
                return null;
            }
            return stats;
        }
    }
}
