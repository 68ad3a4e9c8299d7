package dev.usp.eval.evaluate;

import java.io.IOException;

/** A network that turns 8-bit images into pool features and class probabilities. */
public interface FeatureNet extends AutoCloseable {

    /** The names its metrics are reported under. */
    MetricNames names();

    /** The Inception-Score split size for N images. */
    int isSplitSize(int images);

    /** Features and probabilities of every image of {@code images}, in order. */
    Features embed(ImageSource images) throws IOException;

    /** Releases the network. */
    @Override
    void close();
}
