package dev.usp.core.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads the JSON fixtures written by scripts/fixtures/train_math.py and compares arrays. */
public final class Fixtures {

    private Fixtures() {
    }

    /** The parsed fixture file {@code fixtures/train_math/<name>}. */
    public static JsonObject load(String name) {
        String path = "/fixtures/train_math/" + name;
        try (InputStream in = Fixtures.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The flat values of an array entry {"shape", "data"}. */
    public static double[] data(JsonElement entry) {
        JsonArray a = entry.getAsJsonObject().getAsJsonArray("data");
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }

    /** The shape of an array entry. */
    public static Shape shape(JsonElement entry) {
        JsonArray s = entry.getAsJsonObject().getAsJsonArray("shape");
        long[] dims = new long[s.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = s.get(i).getAsLong();
        }
        return new Shape(dims);
    }

    /** A plain JSON number list. */
    public static double[] numbers(JsonElement list) {
        JsonArray a = list.getAsJsonArray();
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }

    /** A plain JSON integer list as longs. */
    public static long[] longs(JsonElement list) {
        JsonArray a = list.getAsJsonArray();
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsLong();
        }
        return out;
    }

    /** An array entry as an NDArray of the given type in {@code m}. */
    public static NDArray array(NDManager m, JsonElement entry, DataType type) {
        NDArray a = m.create(data(entry), shape(entry));
        return type == DataType.FLOAT64 ? a : a.toType(type, false);
    }

    /** Asserts same shape and |actual - expected| <= atol + rtol |expected| everywhere. */
    public static void assertClose(JsonElement expected, NDArray actual, double atol, double rtol, String what) {
        assertEquals(shape(expected), actual.getShape(), what + ": shape");
        assertClose(data(expected), toDoubles(actual), atol, rtol, what);
    }

    /** Element-wise closeness with a message naming the first offending index. */
    public static void assertClose(double[] expected, double[] actual, double atol, double rtol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tol = atol + rtol * Math.abs(expected[i]);
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol,
                    what + "[" + i + "]: expected " + expected[i] + ", got " + actual[i]);
        }
    }

    /** The values of any float array as doubles. */
    public static double[] toDoubles(NDArray a) {
        if (a.getDataType() == DataType.FLOAT64) {
            return a.toDoubleArray();
        }
        float[] f;
        if (a.getDataType() == DataType.FLOAT32) {
            f = a.toFloatArray();
        } else {
            try (NDArray c = a.toType(DataType.FLOAT32, true)) {
                f = c.toFloatArray();
            }
        }
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** Exact equality of integer lists. */
    public static void assertLongs(long[] expected, long[] actual, String what) {
        assertArrayEquals(expected, actual, what);
    }
}
