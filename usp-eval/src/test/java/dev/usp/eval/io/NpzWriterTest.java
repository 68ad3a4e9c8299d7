package dev.usp.eval.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Java-written .npz files: round trips, numpy's .npy bytes, streamed entries and failures. */
class NpzWriterTest {

    @Test
    void roundTripsEveryDtype(@TempDir Path dir) throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("arr_0", NpyArray.ofUint8(new byte[] {0, 1, (byte) 255, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 2, 1, 2, 3));
        arrays.put("f4", NpyArray.of(new float[] {1.5f, -2f, Float.MIN_VALUE}, 3));
        arrays.put("f8", NpyArray.of(new double[] {Math.PI, -0.0, 1e300, 4}, 2, 2));
        arrays.put("i8", NpyArray.of(new long[] {Long.MIN_VALUE, 3}, 2));
        arrays.put("i4", NpyArray.of(new int[] {-5}, 1));
        arrays.put("scalar", NpyArray.of(new double[] {0.5}));
        Path file = dir.resolve("out.npz");
        NpzWriter.write(file, arrays);
        try (NpzFile npz = NpzFile.open(file)) {
            assertEquals(List.copyOf(arrays.keySet()), npz.keys());
            for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
                assertEquals(e.getValue(), npz.read(e.getKey()), e.getKey());
            }
            assertEquals(255, npz.read("arr_0").toLongArray()[2]);
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            assertEquals(ZipEntry.STORED, zip.getEntry("arr_0.npy").getMethod());
        }
    }

    @Test
    void entriesCarryAFixedDateSoTheSameArraysGiveTheSameBytes(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("stats.npz");
        NpzWriter.write(file, npz -> {
            npz.put("mu", NpyArray.of(new double[] {1, 2}, 2));
            try (NpyStream s = npz.stream("images", NpyHeader.of(NpyDType.UINT8, 1, 2))) {
                s.write(new byte[] {3, 4});
            }
        });
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : java.util.Collections.list(zip.entries())) {
                assertEquals(java.time.LocalDateTime.of(1980, 1, 1, 0, 0), e.getTimeLocal(), e.getName());
            }
        }
    }

    @Test
    void aDeflatedArrayLargerThanTheInflationLimitIsRefusedBeforeItIsRead(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("big.npz");
        NpzWriter.write(file, npz -> {
            try (NpyStream s = npz.stream("zeros", NpyHeader.of(NpyDType.UINT8, 4096))) {
                s.write(new byte[4096]);
            }
        });
        String old = System.getProperty("usp.limits.inflatedBytes");
        System.setProperty("usp.limits.inflatedBytes", "1000");
        try (NpzFile npz = NpzFile.open(file)) {
            IOException e = assertThrows(IOException.class, () -> npz.read("zeros"));
            assertTrue(e.getMessage().contains("big.npz [zeros]") && e.getMessage().contains("4096 bytes is more than the 1000"),
                    e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty("usp.limits.inflatedBytes");
            } else {
                System.setProperty("usp.limits.inflatedBytes", old);
            }
        }
        try (NpzFile npz = NpzFile.open(file)) {
            assertEquals(4096, npz.read("zeros").data().length);
        }
    }

    @Test
    void npyBytesEqualNumpysForTheSameArray() throws IOException {
        // np.save of np.arange(24, dtype=np.float32).reshape(2, 3, 4) * 0.5 - 3, as stored in dtypes.npz.
        byte[] numpy;
        try (NpzFile npz = NpzFile.open(Fixtures.path("dtypes.npz"));
             ZipFile zip = new ZipFile(Fixtures.path("dtypes.npz").toFile())) {
            numpy = zip.getInputStream(zip.getEntry("f4.npy")).readAllBytes();
            ByteArrayOutputStream mine = new ByteArrayOutputStream();
            npz.read("f4").write(mine);
            assertArrayEquals(numpy, mine.toByteArray());
        }
    }

    @Test
    void streamsImagesInBatches(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("samples.npz");
        byte[] all = new byte[5 * 4 * 4 * 3];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) (i * 37);
        }
        NpyHeader header = NpyHeader.of(NpyDType.UINT8, 5, 4, 4, 3);
        NpzWriter.write(file, npz -> {
            try (NpyStream images = npz.stream(NpzFile.DEFAULT_KEY, header)) {
                images.write(NpyArray.ofUint8(java.util.Arrays.copyOfRange(all, 0, 96), 2, 4, 4, 3));
                images.write(all, 96, all.length - 96);
                assertEquals(0, images.remainingBytes());
            }
            npz.put("labels", NpyArray.of(new long[] {1, 2, 3, 4, 5}, 5));
        });
        try (NpzFile npz = NpzFile.open(file)) {
            NpyArray images = npz.read(NpzFile.DEFAULT_KEY);
            assertEquals(header, images.header());
            assertArrayEquals(all, images.data());
            assertArrayEquals(new long[] {1, 2, 3, 4, 5}, npz.read("labels").toLongArray());
        }
    }

    @Test
    void failuresLeaveNoFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("short.npz");
        IOException e = assertThrows(IOException.class, () -> NpzWriter.write(file, npz -> {
            try (NpyStream s = npz.stream("arr_0", NpyHeader.of(NpyDType.UINT8, 2, 3))) {
                s.write(new byte[4]);
            }
        }));
        assertTrue(e.getMessage().contains("short.npz [arr_0]") && e.getMessage().contains("2 bytes"), e.getMessage());
        assertFalse(Files.exists(file));
        assertThrows(IllegalArgumentException.class, () -> NpzWriter.write(file, npz -> {
            try (NpyStream s = npz.stream("arr_0", NpyHeader.of(NpyDType.UINT8, 2, 3))) {
                s.write(NpyArray.ofUint8(new byte[4], 1, 4));
            }
        }));
        assertThrows(IllegalArgumentException.class, () -> NpzWriter.write(file, npz -> {
            npz.put("mu", NpyArray.of(new double[] {1}, 1));
            npz.put("mu", NpyArray.of(new double[] {1}, 1));
        }));
        assertFalse(Files.exists(file));
    }
}
