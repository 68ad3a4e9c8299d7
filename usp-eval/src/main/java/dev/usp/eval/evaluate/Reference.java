package dev.usp.eval.evaluate;

import dev.usp.eval.io.NpzFile;
import dev.usp.eval.metrics.AdmStatistics;
import dev.usp.eval.metrics.FeatureMatrix;
import dev.usp.eval.metrics.FidStatistics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What samples are compared with: pool-feature statistics for the Frechet distance, and (when
 * images are at hand) the reference features for precision/recall.
 *
 * @param statistics the mean and covariance of the reference's pool features
 * @param features   the reference's pool features, or null when only statistics are known
 * @param source     where it came from, for reports
 * @param note       how the statistics were obtained, for reports
 */
public record Reference(FidStatistics statistics, FeatureMatrix features, String source, String note) {

    /**
     * Reads a reference: an ADM reference batch ({@code .npz} with {@code mu}, {@code sigma}; its
     * {@code mu_s}/{@code sigma_s} are not used, its image array {@code key} if present gives the
     * features for precision/recall), or images (a folder or the array {@code key} of an .npz)
     * embedded by {@code net}.
     */
    public static Reference open(Path path, String key, FeatureNet net) throws IOException {
        if (!Files.isDirectory(path) && Files.exists(path) && path.getFileName().toString().endsWith(".npz")) {
            boolean hasStats;
            boolean hasImages;
            try (NpzFile npz = NpzFile.open(path)) {
                hasStats = npz.contains(AdmStatistics.MU);
                hasImages = npz.contains(key);
                if (hasStats && !npz.contains(AdmStatistics.SIGMA)) {
                    throw new IOException(path + ": has '" + AdmStatistics.MU + "' but no '" + AdmStatistics.SIGMA + "'");
                }
                if (hasStats) {
                    FidStatistics stats = FidStatistics.read(npz, AdmStatistics.MU, AdmStatistics.SIGMA);
                    FeatureMatrix feats = hasImages ? net.embed(ImageSources.open(path, key)).pool() : null;
                    return new Reference(stats, feats, path.toString(), "statistics '" + AdmStatistics.MU + "', '"
                            + AdmStatistics.SIGMA + "' read from the file" + (hasImages ? "; '" + key
                            + "' embedded for precision/recall" : "; no '" + key + "' array, so no precision/recall"));
                }
            }
        }
        ImageSource images = ImageSources.open(path, key);
        FeatureMatrix feats = net.embed(images).pool();
        return new Reference(FidStatistics.compute(feats), feats, images.describe(),
                "statistics of " + feats.rows() + " embedded images");
    }

    /** Statistics without features (e.g. a cached training-split reference): no precision/recall. */
    public static Reference ofStatistics(FidStatistics statistics, String source) {
        return new Reference(statistics, null, source, "statistics only, so no precision/recall");
    }
}
