package dev.usp.core.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fixtures written by scripts/fixtures/core_weights.py and exact comparisons with them. */
final class WeightFixtures {

    private static final Map<String, DataType> ENGINE_TYPES = Map.of(
            "float32", DataType.FLOAT32, "float16", DataType.FLOAT16, "bfloat16", DataType.FLOAT32,
            "float64", DataType.FLOAT64, "int64", DataType.INT64, "int32", DataType.INT32,
            "int16", DataType.INT32, "int8", DataType.INT8, "uint8", DataType.UINT8, "bool", DataType.BOOLEAN);

    private WeightFixtures() {
    }

    static Path path(String name) {
        try {
            return Path.of(WeightFixtures.class.getResource("/fixtures/weights/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The expected.json entry for one file (and, for checkpoint.pth, one key): name -> description. */
    static JsonObject expected(String... keys) {
        try {
            JsonElement e = JsonParser.parseString(Files.readString(path("expected.json")));
            for (String k : keys) {
                e = e.getAsJsonObject().get(k);
            }
            return e.getAsJsonObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Asserts engine type (after upcasts), shape and every value exactly. */
    static void assertTensor(String name, JsonObject want, NDArray actual) {
        String dtype = want.get("dtype").getAsString();
        assertEquals(ENGINE_TYPES.get(dtype), actual.getDataType(), name + " type");
        JsonArray shape = want.getAsJsonArray("shape");
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.get(i).getAsLong();
        }
        assertArrayEquals(dims, actual.getShape().getShape(), name + " shape");
        JsonArray values = want.getAsJsonArray("values");
        if (dtype.startsWith("float") || dtype.equals("bfloat16")) {
            double[] got = actual.toType(DataType.FLOAT64, false).toDoubleArray();
            double[] exp = new double[values.size()];
            for (int i = 0; i < exp.length; i++) {
                exp[i] = values.get(i).getAsDouble();
            }
            assertArrayEquals(exp, got, 0.0, name + " values");
        } else {
            long[] got = actual.toType(DataType.INT64, false).toLongArray();
            long[] exp = new long[values.size()];
            for (int i = 0; i < exp.length; i++) {
                exp[i] = values.get(i).getAsLong();
            }
            assertArrayEquals(exp, got, name + " values");
        }
    }

    /** Asserts that the state dict holds exactly the expected tensors, in order, with exact values. */
    static void assertStateDict(JsonObject want, StateDict sd) {
        assertEquals(want.keySet().stream().toList(), sd.keys().stream().toList());
        for (String k : want.keySet()) {
            assertTensor(k, want.getAsJsonObject(k), sd.get(k));
        }
    }
}
