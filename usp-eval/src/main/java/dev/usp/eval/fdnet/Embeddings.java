package dev.usp.eval.fdnet;

import dev.usp.eval.metrics.FeatureMatrix;

/**
 * What the feature net says about N images: the penultimate features (N, D) for FD-FMNIST and
 * the class probabilities (N, 10) for IS-FMNIST, row i of both from image i.
 */
public record Embeddings(FeatureMatrix features, FeatureMatrix probabilities) {

    /** Checks that both describe the same images. */
    public Embeddings {
        if (features.rows() != probabilities.rows()) {
            throw new IllegalArgumentException(features.rows() + " feature rows but " + probabilities.rows()
                    + " probability rows");
        }
    }

    /** Number of images N. */
    public int size() {
        return features.rows();
    }

    /** The features as {@code double[N][D]}. */
    public double[][] featureRows() {
        return rows(features);
    }

    /** The softmax as {@code double[N][10]}. */
    public double[][] probabilityRows() {
        return rows(probabilities);
    }

    private static double[][] rows(FeatureMatrix m) {
        double[][] out = new double[m.rows()][m.dim()];
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.dim(); j++) {
                out[i][j] = m.get(i, j);
            }
        }
        return out;
    }
}
