package dev.usp.train.distributed;

import dev.usp.train.data.EpochOrder;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardedEpochOrderTest {

    @Test
    void everySampleIsReadOncePerEpochAcrossRanksPaddedAsDistributedSampler() {
        for (int size : new int[] {12, 10, 7, 1000}) {
            for (int world : new int[] {1, 2, 3, 4}) {
                for (long epoch = 0; epoch < 3; epoch++) {
                    int[] count = new int[size];
                    int read = 0;
                    for (int rank = 0; rank < world; rank++) {
                        int[] shard = new ShardedEpochOrder(size, 1, 42, rank, world).shard(epoch);
                        assertEquals((size + world - 1) / world, shard.length);
                        for (int i : shard) {
                            count[i]++;
                            read++;
                        }
                    }
                    int pad = read - size;
                    String what = size + " examples, " + world + " ranks, epoch " + epoch;
                    assertTrue(Arrays.stream(count).allMatch(c -> c == 1 || c == 2), what);
                    assertEquals(pad, Arrays.stream(count).filter(c -> c == 2).count(), what);
                    assertTrue(pad < world, what);
                    if (size % world == 0) {
                        assertTrue(Arrays.stream(count).allMatch(c -> c == 1), what + ": each exactly once");
                    }
                }
            }
        }
    }

    @Test
    void oneProcessReadsExactlyWhatTheSingleProcessOrderReads() {
        EpochOrder single = new EpochOrder(103, 8, 7);
        ShardedEpochOrder sharded = new ShardedEpochOrder(103, 8, 7, 0, 1);
        assertEquals(single.batchesPerEpoch(), sharded.batchesPerEpoch());
        for (long b = 0; b < 3L * single.batchesPerEpoch(); b++) {
            assertArrayEquals(single.indices(b), sharded.indices(b), "batch " + b);
        }
    }

    @Test
    void ranksReadDisjointBatchesThatChangeWithTheEpoch() {
        ShardedEpochOrder r0 = new ShardedEpochOrder(64, 4, 3, 0, 2);
        ShardedEpochOrder r1 = new ShardedEpochOrder(64, 4, 3, 1, 2);
        assertEquals(8, r0.batchesPerEpoch());
        for (long b = 0; b < 8; b++) {
            int[] a = r0.indices(b);
            int[] c = r1.indices(b);
            assertTrue(Arrays.stream(a).noneMatch(i -> Arrays.stream(c).anyMatch(j -> j == i)), "batch " + b);
        }
        assertFalse(Arrays.equals(r0.shard(0), r0.shard(1)));
        assertArrayEquals(r0.indices(8), Arrays.copyOfRange(r0.shard(1), 0, 4), "batch 8 opens epoch 1");
    }

    @Test
    void aLocalBatchLargerThanTheShardIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ShardedEpochOrder(10, 4, 0, 0, 4));
        assertTrue(e.getMessage().contains("local batch 4 must be between 1 and the 3 examples"), e.getMessage());
    }
}
