package dev.usp.core.data;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLoaderTest {

    /** n RGB images of 20x18 whose bytes depend on the index; label = index mod 3. */
    private static Dataset synthetic(int n) {
        return new Dataset() {
            @Override
            public int size() {
                return n;
            }

            @Override
            public Sample get(int index) {
                byte[] px = new byte[20 * 18 * 3];
                for (int i = 0; i < px.length; i++) {
                    px[i] = (byte) (i * 13 + index * 101);
                }
                return new Sample(new Image(20, 18, 3, px), index % 3);
            }
        };
    }

    private static final Transform AUGMENT = Transform.compose(RandomResizedCrop.mae(8), new HorizontalFlip(0.5));

    private static List<HostBatch> run(int workers, int epoch) {
        List<HostBatch> out = new ArrayList<>();
        try (DataLoader loader = DataLoader.builder(synthetic(37)).batchSize(8).shuffle(true).seed(11)
                .transform(AUGMENT).workers(workers).build();
             DataLoader.Epoch e = loader.epoch(epoch)) {
            e.forEachRemaining(out::add);
        }
        return out;
    }

    @Test
    void sameBatchesWithOneOrThreeThreads() {
        List<HostBatch> inline = run(0, 2);
        List<HostBatch> one = run(1, 2);
        List<HostBatch> three = run(3, 2);
        assertEquals(5, three.size());
        assertEquals(5, three.get(4).size());
        for (int b = 0; b < 5; b++) {
            for (List<HostBatch> other : List.of(inline, one)) {
                assertArrayEquals(other.get(b).indices(), three.get(b).indices());
                assertArrayEquals(other.get(b).labels(), three.get(b).labels());
                assertArrayEquals(other.get(b).images(), three.get(b).images(), 0f);
            }
        }
    }

    @Test
    void everySampleOncePerEpochAndANewOrderEachEpoch() {
        int[] e0 = run(2, 0).stream().flatMapToInt(b -> Arrays.stream(b.indices())).toArray();
        int[] e1 = run(2, 1).stream().flatMapToInt(b -> Arrays.stream(b.indices())).toArray();
        assertArrayEquals(IntStream.range(0, 37).toArray(), Arrays.stream(e0).sorted().toArray());
        assertArrayEquals(IntStream.range(0, 37).toArray(), Arrays.stream(e1).sorted().toArray());
        assertFalse(Arrays.equals(e0, e1));
        for (HostBatch b : run(2, 0)) {
            for (int i = 0; i < b.size(); i++) {
                assertEquals(b.indices()[i] % 3, b.labels()[i]);
            }
            for (float v : b.images()) {
                assertTrue(v >= -1f && v <= 1f);
            }
        }
    }

    @Test
    void dropLastAndTooLargeBatches() {
        try (DataLoader loader = DataLoader.builder(synthetic(37)).batchSize(8).dropLast(true).build()) {
            assertEquals(4, loader.batchesPerEpoch());
            try (DataLoader.Epoch e = loader.epoch(0)) {
                int rows = 0;
                while (e.hasNext()) {
                    HostBatch b = e.next();
                    assertEquals(8, b.size());
                    rows += b.size();
                }
                assertEquals(32, rows);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataLoader.builder(synthetic(5)).batchSize(8).dropLast(true).build());
        assertTrue(e.getMessage().contains("batch size 8 is larger than the dataset (5 samples) and drop_last is set"), e.getMessage());
    }

    @Test
    void batchesBecomeNdArraysInTheCallersManager() {
        try (NDManager base = NDManager.newBaseManager();
             DataLoader loader = DataLoader.builder(synthetic(5)).batchSize(4).workers(2).build();
             DataLoader.Epoch e = loader.epoch(0)) {
            HostBatch host = loader.epoch(0).next();
            try (NDManager step = base.newSubManager()) {
                Batch b = e.next(step);
                assertEquals(new Shape(4, 3, 18, 20), b.images().getShape());
                assertEquals(DataType.FLOAT32, b.images().getDataType());
                assertEquals(DataType.INT64, b.labels().getDataType());
                assertArrayEquals(new long[] {0, 1, 2, 0}, b.labels().toLongArray());
                assertArrayEquals(host.images(), b.images().toFloatArray(), 0f);
                assertEquals(step, b.images().getManager());
            }
            assertEquals(0, base.getManagedArrays().size());
        }
    }

    @Test
    void samplesOfDifferentSizesAreAClearError() {
        Dataset mixed = new Dataset() {
            @Override
            public int size() {
                return 2;
            }

            @Override
            public Sample get(int index) {
                return new Sample(new Image(4 + index, 4, 1, new byte[(4 + index) * 4]), 0);
            }
        };
        try (DataLoader loader = DataLoader.builder(mixed).batchSize(2).build(); DataLoader.Epoch e = loader.epoch(0)) {
            IllegalStateException ex = assertThrows(IllegalStateException.class, e::next);
            assertTrue(ex.getMessage().contains("sample 1 is 1x4x5 after the transform but sample 0 is 1x4x4"), ex.getMessage());
        }
    }
}
