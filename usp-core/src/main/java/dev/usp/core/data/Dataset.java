package dev.usp.core.data;

/** An indexed collection of labelled images, decoded on demand; safe to call from several threads. */
public interface Dataset {

    /** Number of samples. */
    int size();

    /**
     * The sample at {@code index}, decoded; {@code null} when it cannot be read and the dataset's
     * policy is to skip such samples (the dataset logs and counts them).
     */
    Sample get(int index);
}
