package dev.usp.dist;

import java.util.ArrayList;
import java.util.List;

/**
 * How DistributedDataParallel groups gradients for all-reduce: consecutive arrays fill a bucket
 * until the next one would take it past the cap; an array larger than the cap has a bucket of its
 * own. A bucket of one array is reduced in place; a bucket of several is copied into one flat
 * array, reduced, and copied back.
 */
final class Buckets {

    /** DDP's default {@code bucket_cap_mb}: 25 MiB. */
    static final long CAP_BYTES = 25L * 1024 * 1024;

    private Buckets() {
    }

    /**
     * The buckets of arrays of {@code bytes[i]} bytes, in order: each a list of array indices.
     *
     * @param bytes each array's size in bytes
     * @param cap the most bytes a bucket of several arrays holds
     */
    static List<List<Integer>> plan(long[] bytes, long cap) {
        List<List<Integer>> buckets = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        long filled = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (!current.isEmpty() && filled + bytes[i] > cap) {
                buckets.add(current);
                current = new ArrayList<>();
                filled = 0;
            }
            current.add(i);
            filled += bytes[i];
        }
        if (!current.isEmpty()) {
            buckets.add(current);
        }
        return buckets;
    }
}
