package dev.usp.core.weights;

/**
 * The bounds every weight-file reader holds a file to, so that a hostile or broken file fails
 * with a message instead of exhausting the stack, the heap or the clock. Real checkpoints are
 * far inside them; the ones a real file could outgrow can be raised with a system property
 * ({@code -Dusp.limits.<name>=<value>}, read at each use).
 *
 * <ul>
 *   <li>{@link #JSON_DEPTH}: nesting of a safetensors header (real headers: 2, metadata 1-3).
 *   <li>{@link #PICKLE_DEPTH}: nesting of a torch.save object tree (real checkpoints: under 10).
 *   <li>{@link #pickleBytes()}: size of {@code data.pkl} after decompression (real: kilobytes
 *       to a few megabytes; the tensors live outside it).
 *   <li>{@link #treeNodes()}: values of the object tree counted as often as they are reached,
 *       so that shared parts cannot multiply into an exponential traversal.
 *   <li>{@link #inflatedBytes()}: bytes decompressed from deflated zip entries of one file
 *       (torch.save stores entries uncompressed; only re-zipped files are deflated).
 *   <li>{@link #repeatedViewBytes()}: bytes a view may materialise beyond its storage's size
 *       (stride-0 views such as {@code expand()}), so that a tiny storage cannot become gigabytes.
 * </ul>
 * A string or bytes value of a pickle can never be longer than the bytes left in the pickle,
 * and a tensor never reads past its storage: those are not limits but consistency checks.
 */
public final class ReadLimits {

    /** Deepest JSON nesting accepted in a safetensors header. */
    public static final int JSON_DEPTH = 64;
    /** Deepest nesting of dicts, lists, tuples and objects accepted in a torch.save pickle. */
    public static final int PICKLE_DEPTH = 64;
    /** Default of {@link #pickleBytes()}: 64 MiB. */
    public static final long PICKLE_BYTES = 64L << 20;
    /** Default of {@link #treeNodes()}: 10 million. */
    public static final long TREE_NODES = 10_000_000L;
    /** Default of {@link #inflatedBytes()}: 1 GiB. */
    public static final long INFLATED_BYTES = 1L << 30;
    /** Default of {@link #repeatedViewBytes()}: 16 MiB. */
    public static final long REPEATED_VIEW_BYTES = 16L << 20;

    private ReadLimits() {
    }

    /** Largest {@code data.pkl} read, in bytes ({@code -Dusp.limits.pickleBytes}). */
    public static long pickleBytes() {
        return property("pickleBytes", PICKLE_BYTES);
    }

    /** Most values in a torch.save object tree, shared ones counted per reference ({@code -Dusp.limits.treeNodes}). */
    public static long treeNodes() {
        return property("treeNodes", TREE_NODES);
    }

    /** Most bytes decompressed from deflated entries of one zip ({@code -Dusp.limits.inflatedBytes}). */
    public static long inflatedBytes() {
        return property("inflatedBytes", INFLATED_BYTES);
    }

    /** Most bytes a stride-0 or overlapping view may read beyond its storage's size ({@code -Dusp.limits.repeatedViewBytes}). */
    public static long repeatedViewBytes() {
        return property("repeatedViewBytes", REPEATED_VIEW_BYTES);
    }

    /** The hint every limit message ends with. */
    static String raise(String name) {
        return "raise it with -Dusp.limits." + name + "=N if the file is trusted";
    }

    private static long property(String name, long fallback) {
        String value = System.getProperty("usp.limits." + name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.strip());
            if (parsed <= 0) {
                throw new NumberFormatException("not positive");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dusp.limits." + name + "=" + value + " is not a positive whole number");
        }
    }
}
