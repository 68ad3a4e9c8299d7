package dev.usp.core.config;

import java.nio.file.Path;

/**
 * The {@code data:} block of every training stage: latent caches written by {@code usp encode}, or
 * images read from a dataset.
 *
 * @param source   {@code cache} (latent caches {@code train}/{@code val}) or {@code images}
 *                 ({@code dataset} under {@code dir}); each stage accepts the sources it reads
 * @param train    latent cache of the training split (source cache)
 * @param val      latent cache of the held-out split, for stages that evaluate on one (source cache)
 * @param dataset  {@code fmnist} (Fashion-MNIST IDX files) or {@code folder} (an image folder)
 * @param dir      the dataset's folder; null for Fashion-MNIST's default {@code /usr/share/datasets/fashion-mnist}
 * @param limit    use only the first N training images; 0 for all
 * @param valLimit evaluate on only the first N held-out images; 0 for all
 */
public record DataConfig(@OneOf({"cache", "images"}) String source, Path train, Path val,
                         @OneOf({"fmnist", "folder"}) String dataset, Path dir, @Range(min = 0) int limit,
                         @Range(min = 0) int valLimit) {

    /** Fashion-MNIST images from its default folder, all of them. */
    public static DataConfig images() {
        return new DataConfig("images", null, null, "fmnist", null, 0, 0);
    }

    /** Latent caches at these folders. */
    public static DataConfig cache(Path train, Path val) {
        return new DataConfig("cache", train, val, "fmnist", null, 0, 0);
    }

    /** True when the stage reads images rather than latent caches. */
    public boolean fromImages() {
        return "images".equals(source);
    }

    /**
     * Refuses a source the stage does not read, and keys it would ignore.
     *
     * @param stage  the stage's command name, for the message
     * @param source the one source the stage reads, or null for either
     * @param usesVal whether the stage reads {@code val} (caches) or {@code val_limit} (images)
     */
    public void require(String stage, String source, boolean usesVal) {
        if (source != null && !source.equals(this.source)) {
            throw new IllegalArgumentException(stage + " reads data.source " + source + ", not " + this.source);
        }
        if (!usesVal && (val != null || valLimit != 0)) {
            throw new IllegalArgumentException(stage + " reads no held-out split: unset data.val and data.val_limit");
        }
    }
}
