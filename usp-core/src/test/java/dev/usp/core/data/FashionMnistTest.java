package dev.usp.core.data;

import dev.usp.core.testing.FashionMnistFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads the real files of Debian's dataset-fashion-mnist. Expected values were computed
 * independently with Python's gzip + numpy (sum of all uint8 pixels as int64, etc.).
 */
class FashionMnistTest {


    private static long pixelSum(FashionMnist data) {
        long sum = 0;
        for (int i = 0; i < data.size(); i++) {
            for (byte b : data.image(i).pixels()) {
                sum += b & 0xFF;
            }
        }
        return sum;
    }

    @Test
    void trainSplitMatchesNumpy() throws IOException {
        FashionMnistFiles.require();
        FashionMnist train = FashionMnist.load(null, FashionMnist.Split.TRAIN);
        assertEquals(60000, train.size());
        int[] first = new int[10];
        for (int i = 0; i < 10; i++) {
            first[i] = train.label(i);
        }
        assertArrayEquals(new int[] {9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, first);
        assertEquals(5, train.label(59999));
        Image img = train.image(0);
        assertEquals(28, img.width());
        assertEquals(1, img.channels());
        assertEquals(217, img.get(14, 14, 0));
        long firstSum = 0;
        for (byte b : img.pixels()) {
            firstSum += b & 0xFF;
        }
        assertEquals(76247, firstSum);
        assertEquals(3431114169L, pixelSum(train));
        int[] hist = new int[10];
        for (int i = 0; i < train.size(); i++) {
            hist[train.get(i).label()]++;
        }
        assertArrayEquals(new int[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000}, hist);
    }

    @Test
    void testSplitMatchesNumpy() throws IOException {
        FashionMnistFiles.require();
        FashionMnist test = FashionMnist.load(FashionMnist.DEFAULT_DIR, FashionMnist.Split.TEST);
        assertEquals(10000, test.size());
        int[] first = new int[10];
        for (int i = 0; i < 10; i++) {
            first[i] = test.label(i);
        }
        assertArrayEquals(new int[] {9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, first);
        assertEquals(573469082L, pixelSum(test));
    }

    @Test
    void missingFolderSaysHowToInstall(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir.resolve("nope"), FashionMnist.Split.TRAIN));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        assertTrue(e.getMessage().contains("--data-dir"), e.getMessage());
    }

    @Test
    void badMagicAndTruncatedFilesAreNamed(@TempDir Path dir) throws IOException {
        writeGz(dir.resolve("t10k-images-idx3-ubyte.gz"), idx(0x803, new int[] {2, 28, 28}, 2 * 28 * 28));
        writeGz(dir.resolve("t10k-labels-idx1-ubyte.gz"), idx(0x802, new int[] {2}, 2));
        IOException magic = assertThrows(IOException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertTrue(magic.getMessage().contains("t10k-labels-idx1-ubyte.gz: magic number 0x802, expected 0x801"), magic.getMessage());

        writeGz(dir.resolve("t10k-labels-idx1-ubyte.gz"), idx(0x801, new int[] {2}, 2));
        writeGz(dir.resolve("t10k-images-idx3-ubyte.gz"), idx(0x803, new int[] {2, 28, 28}, 28 * 28 + 5));
        IOException size = assertThrows(IOException.class, () -> FashionMnist.load(dir, FashionMnist.Split.TEST));
        assertTrue(size.getMessage().contains("header says 2x28x28 = 1568 bytes, file has 789"), size.getMessage());
    }

    private static byte[] idx(int magic, int[] dims, int payload) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload);
        b.putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    private static void writeGz(Path file, byte[] content) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(content);
        }
    }
}
