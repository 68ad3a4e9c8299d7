package dev.usp.eval.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads numpy-written .npz files; the values are the formulas of eval_metrics.py's dtype_fixtures. */
class NpzFileTest {

    @Test
    void readsEveryDtypeFromDeflatedNpz() throws IOException {
        try (NpzFile npz = NpzFile.open(Fixtures.path("dtypes.npz"))) {
            assertEquals(List.of("f4", "f8", "u1", "i8", "i4", "scalar", "fortran", "big_endian", "v2", "v3"), npz.keys());

            NpyArray f4 = npz.read("f4");
            assertEquals(NpyDType.FLOAT32, f4.dtype());
            assertArrayEquals(new long[] {2, 3, 4}, f4.shape());
            float[] f = f4.toFloatArray();
            for (int i = 0; i < 24; i++) {
                assertEquals(i * 0.5f - 3, f[i], 0f);
            }
            double[] f8 = npz.read("f8").toDoubleArray();
            for (int i = 0; i < 5; i++) {
                assertEquals(i / 3.0, f8[i], 0.0);
            }
            NpyArray u1 = npz.read("u1");
            assertArrayEquals(new long[] {3, 2}, u1.shape());
            assertArrayEquals(new long[] {0, 50, 100, 150, 200, 250}, u1.toLongArray());
            assertArrayEquals(new long[] {0, -(1L << 40), -(2L << 40), -(3L << 40)}, npz.read("i8").toLongArray());
            assertArrayEquals(new long[] {-1, 0, 1, 2}, npz.read("i4").toLongArray());

            NpyArray scalar = npz.read("scalar");
            assertEquals(0, scalar.shape().length);
            assertArrayEquals(new double[] {2.5}, scalar.toDoubleArray());
        }
    }

    @Test
    void convertsFortranOrderAndBigEndianAndReadsVersions2And3() throws IOException {
        try (NpzFile npz = NpzFile.open(Fixtures.path("dtypes.npz"))) {
            assertTrue(npz.header("fortran").fortranOrder());
            NpyArray fortran = npz.read("fortran");
            assertArrayEquals(new long[] {3, 4}, fortran.shape());
            double[] v = fortran.toDoubleArray();
            for (int i = 0; i < 12; i++) {
                assertEquals(i, v[i], 0.0, "C-order element " + i);
            }
            assertArrayEquals(new float[] {0.25f, 1.25f, 2.25f}, npz.read("big_endian").toFloatArray(), 0f);
            NpyArray f8 = npz.read("f8");
            assertEquals(f8, npz.read("v2"));
            assertEquals(f8, npz.read("v3"));
        }
    }

    @Test
    void readsAdmReferenceBatchLayout() throws IOException {
        try (NpzFile npz = NpzFile.open(Fixtures.path("adm_ref_tiny.npz"))) {
            assertEquals(List.of(NpzFile.DEFAULT_KEY, "mu", "sigma", "mu_s", "sigma_s"), npz.keys());
            NpyHeader images = npz.header(NpzFile.DEFAULT_KEY);
            assertEquals(NpyHeader.of(NpyDType.UINT8, 4, 8, 8, 3), images);
            assertEquals(NpyHeader.of(NpyDType.FLOAT64, 16, 16), npz.header("sigma"));
            assertEquals(NpyHeader.of(NpyDType.FLOAT64, 8), npz.header("mu_s"));

            NpyArray whole = npz.read(NpzFile.DEFAULT_KEY);
            List<NpyArray> parts = new ArrayList<>();
            try (NpyBatches batches = npz.batches(NpzFile.DEFAULT_KEY, 3)) {
                batches.forEachRemaining(parts::add);
            }
            assertEquals(2, parts.size());
            assertArrayEquals(new long[] {3, 8, 8, 3}, parts.get(0).shape());
            assertArrayEquals(new long[] {1, 8, 8, 3}, parts.get(1).shape());
            byte[] joined = new byte[whole.data().length];
            System.arraycopy(parts.get(0).data(), 0, joined, 0, 576);
            System.arraycopy(parts.get(1).data(), 0, joined, 576, 192);
            assertArrayEquals(whole.data(), joined);
        }
    }

    @Test
    void errorsNameFileAndKey(@TempDir Path dir) throws IOException {
        Path fixture = Fixtures.path("adm_ref_tiny.npz");
        try (NpzFile npz = NpzFile.open(fixture)) {
            IOException e = assertThrows(IOException.class, () -> npz.read("mu_x"));
            assertTrue(e.getMessage().contains(fixture.toString()) && e.getMessage().contains("'mu_x'"), e.getMessage());
            assertTrue(e.getMessage().contains("sigma_s"), e.getMessage());
            assertFalse(npz.contains("mu_x"));
        }
        Path notZip = dir.resolve("broken.npz");
        Files.writeString(notZip, "hello");
        IOException e = assertThrows(IOException.class, () -> NpzFile.open(notZip));
        assertTrue(e.getMessage().contains("broken.npz"), e.getMessage());

        NpyHeader h = NpyHeader.of(NpyDType.FLOAT32, 4, 2);
        byte[] cut = Arrays.copyOf(h.encode(), h.encode().length + 20);
        IOException t = assertThrows(IOException.class,
                () -> NpyArray.read(new ByteArrayInputStream(cut), "x.npz [feats]"));
        assertTrue(t.getMessage().startsWith("x.npz [feats]: truncated") && t.getMessage().contains("got 20"), t.getMessage());
    }
}
