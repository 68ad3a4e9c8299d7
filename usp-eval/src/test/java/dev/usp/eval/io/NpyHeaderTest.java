package dev.usp.eval.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Header bytes against those numpy 1.24 wrote (npy_headers.json), and the header parser. */
class NpyHeaderTest {

    @Test
    void encodesExactlyAsNumpy() throws IOException {
        JsonArray cases = new Gson().fromJson(Files.readString(Fixtures.path("npy_headers.json")), JsonArray.class);
        assertEquals(8, cases.size());
        for (JsonElement c : cases) {
            JsonObject o = c.getAsJsonObject();
            NpyDType dtype = dtypeOf(o.get("descr").getAsString());
            long[] shape = new Gson().fromJson(o.get("shape"), long[].class);
            byte[] numpy = Base64.getDecoder().decode(o.get("header_base64").getAsString());
            NpyHeader h = NpyHeader.of(dtype, shape);
            assertArrayEquals(numpy, h.encode(), "header of " + h);
            assertEquals(h, NpyHeader.read(new ByteArrayInputStream(numpy), "case " + h));
        }
    }

    @Test
    void paddingKeepsDataAlignedTo64Bytes() {
        assertEquals(128, NpyHeader.of(NpyDType.FLOAT32, 2, 3).encode().length);
        // The numpy case whose unpadded length is already a multiple of 64 gets 64 spaces more.
        assertEquals(192, NpyHeader.of(NpyDType.FLOAT32, 7, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 100).encode().length);
    }

    @Test
    void parsesPython2StyleAndReportsBadHeaders() throws IOException {
        NpyHeader h = parse("{'descr': '<f8', 'shape': (3L, 2L), 'fortran_order': True}");
        assertArrayEquals(new long[] {3, 2}, h.shape());
        assertTrue(h.fortranOrder());
        IOException e = assertThrows(IOException.class, () -> parse("{'descr': '<c16', 'fortran_order': False, 'shape': (3,), }"));
        assertTrue(e.getMessage().contains("file.npz [z]") && e.getMessage().contains("'<c16'"), e.getMessage());
        e = assertThrows(IOException.class, () -> parse("{'descr': '<f4', 'shape': (3,), }"));
        assertTrue(e.getMessage().contains("fortran_order"), e.getMessage());
        e = assertThrows(IOException.class, () -> parse("{'descr': '<f4', 'fortran_order': False, 'shape': (3, x), }"));
        assertTrue(e.getMessage().contains("expected an integer"), e.getMessage());
    }

    private static NpyHeader parse(String dict) throws IOException {
        byte[] text = dict.getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[10 + text.length];
        System.arraycopy(NpyHeader.MAGIC, 0, b, 0, 6);
        b[6] = 1;
        b[8] = (byte) text.length;
        System.arraycopy(text, 0, b, 10, text.length);
        return NpyHeader.read(new ByteArrayInputStream(b), "file.npz [z]");
    }

    private static NpyDType dtypeOf(String descr) {
        for (NpyDType t : NpyDType.values()) {
            if (t.descr().equals(descr)) {
                return t;
            }
        }
        throw new IllegalArgumentException(descr);
    }
}
