package dev.usp.dist;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** DDP's bucketing: in order, up to the cap, an oversized array alone. */
class BucketsTest {

    @Test
    void fillsBucketsInOrderUpToTheCap() {
        long mib = 1024 * 1024;
        long[] bytes = {mib, 8 * mib, 8 * mib, 8 * mib, 8 * mib, 28 * mib, 4, 4};
        assertEquals(List.of(List.of(0, 1, 2, 3), List.of(4), List.of(5), List.of(6, 7)),
                Buckets.plan(bytes, Buckets.CAP_BYTES));
    }

    @Test
    void aBucketHoldsExactlyTheCapAndNothingEmpty() {
        assertEquals(List.of(List.of(0, 1), List.of(2)), Buckets.plan(new long[] {10, 15, 1}, 25));
        assertEquals(List.of(), Buckets.plan(new long[0], 25));
        assertEquals(List.of(List.of(0), List.of(1)), Buckets.plan(new long[] {30, 30}, 25));
    }
}
