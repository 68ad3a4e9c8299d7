package dev.usp.eval.metrics;

import dev.usp.eval.io.NpzFile;
import dev.usp.eval.io.NpzWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The Inception statistics an ADM reference batch may carry: pool_3 features under {@code mu},
 * {@code sigma} (FID) and spatial mixed_6/conv features under {@code mu_s}, {@code sigma_s} (sFID).
 */
public record AdmStatistics(FidStatistics pool, FidStatistics spatial) {

    public static final String MU = "mu";
    public static final String SIGMA = "sigma";
    public static final String MU_SPATIAL = "mu_s";
    public static final String SIGMA_SPATIAL = "sigma_s";

    /**
     * Reads the four arrays if the file has {@code mu}, as the evaluator's {@code read_statistics}
     * does; empty when it has not (then compute them from the images' features).
     */
    public static Optional<AdmStatistics> read(Path npzPath) throws IOException {
        try (NpzFile npz = NpzFile.open(npzPath)) {
            if (!npz.contains(MU)) {
                return Optional.empty();
            }
            return Optional.of(new AdmStatistics(FidStatistics.read(npz, MU, SIGMA),
                    FidStatistics.read(npz, MU_SPATIAL, SIGMA_SPATIAL)));
        }
    }

    /** Adds the four arrays to an .npz being written. */
    public void write(NpzWriter npz) throws IOException {
        pool.write(npz, MU, SIGMA);
        spatial.write(npz, MU_SPATIAL, SIGMA_SPATIAL);
    }
}
