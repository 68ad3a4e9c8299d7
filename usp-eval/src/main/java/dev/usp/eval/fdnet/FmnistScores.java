package dev.usp.eval.fdnet;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * FD-FMNIST and IS-FMNIST of one set of generated images. These are NOT FID/IS: they use the
 * project's own Fashion-MNIST classifier instead of Inception-v3, so their values are only
 * comparable with other FD-FMNIST/IS-FMNIST values from the same weight file.
 *
 * @param fd the Frechet distance between the images' features and the reference statistics
 * @param is the Inception-Score-like score of the images' softmax, over {@link FdFmnist#IS_SPLITS} splits
 * @param samples the number of images
 */
public record FmnistScores(double fd, double is, int samples) {

    /** The scores under their report names, for metrics logs. */
    public Map<String, Double> asMetrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(FdFmnist.FD_NAME, fd);
        m.put(FdFmnist.IS_NAME, is);
        return m;
    }

    @Override
    public String toString() {
        return String.format("%s %.4f, %s %.4f (%d samples)", FdFmnist.FD_NAME, fd, FdFmnist.IS_NAME, is, samples);
    }
}
