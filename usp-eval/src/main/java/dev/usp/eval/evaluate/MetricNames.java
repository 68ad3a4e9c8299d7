package dev.usp.eval.evaluate;

/**
 * The names a feature net's metrics are reported under: FID/IS only for Inception-v3, FD-FMNIST
 * and IS-FMNIST for the project's Fashion-MNIST net, so the two are never confused.
 *
 * @param features  the feature net's name in reports ({@code inception}, {@code fmnist})
 * @param fd        the Frechet distance of pool features
 * @param is        the Inception-Score-like score of the softmax
 * @param precision improved precision (k = 3) in the feature space
 * @param recall    improved recall (k = 3) in the feature space
 */
public record MetricNames(String features, String fd, String is, String precision, String recall) {

    /** Inception-v3 (the StyleGAN/clean-fid TorchScript file). */
    public static final MetricNames INCEPTION = new MetricNames("inception", "FID", "IS", "precision", "recall");
    /** The project's Fashion-MNIST feature net. */
    public static final MetricNames FMNIST = new MetricNames("fmnist", "FD-FMNIST", "IS-FMNIST", "precision-FMNIST",
            "recall-FMNIST");
}
