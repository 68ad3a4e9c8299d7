package dev.usp.eval.evaluate;

import dev.usp.eval.metrics.FeatureMatrix;

/**
 * What a feature net says about N images: pool features (N, D) for the Frechet distance and
 * precision/recall, and class probabilities (N, K) for the Inception Score; row i of both from image i.
 */
public record Features(FeatureMatrix pool, FeatureMatrix probabilities) {

    /** Checks that both describe the same images. */
    public Features {
        if (pool.rows() != probabilities.rows()) {
            throw new IllegalArgumentException(pool.rows() + " feature rows but " + probabilities.rows()
                    + " probability rows");
        }
    }
}
