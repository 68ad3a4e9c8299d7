package dev.usp.core.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.usp.core.weights.WeightFixtures.assertStateDict;
import static dev.usp.core.weights.WeightFixtures.expected;
import static dev.usp.core.weights.WeightFixtures.path;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {

    @Test
    void roundTripKeepsTypesShapesValuesAndMetadata(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rt.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("f32", m.create(new float[] {1.5f, -2f, 3.25f, Float.MIN_VALUE, 1e30f, 0f}, new Shape(2, 3)));
            tensors.put("f16", m.create(new float[] {0.5f, -1.25f, 65504f}).toType(DataType.FLOAT16, false));
            tensors.put("f64", m.create(new double[] {Math.PI, -1e-300}));
            tensors.put("i64", m.create(new long[] {Long.MIN_VALUE, 0, Long.MAX_VALUE}));
            tensors.put("i32", m.create(new int[] {Integer.MIN_VALUE, 7}));
            tensors.put("i8", m.create(new byte[] {-128, 127}));
            tensors.put("u8", m.create(new int[] {0, 255}).toType(DataType.UINT8, false));
            tensors.put("bool", m.create(new boolean[] {true, false, true}));
            tensors.put("scalar", m.create(2.5f));
            tensors.put("empty", m.zeros(new Shape(0, 3)));
            tensors.put("transposed", m.arange(6f).reshape(2, 3).transpose());
            SafeTensors.write(file, tensors, Map.of("format", "pt", "epoch", "3"));

            SafeTensorsHeader header = SafeTensors.readHeader(file);
            assertEquals(Map.of("format", "pt", "epoch", "3"), header.metadata());
            assertEquals(List.copyOf(tensors.keySet()), List.copyOf(header.tensors().keySet()));
            assertEquals("F16", header.entry("f16").dtype());
            assertEquals(new Shape(3, 2), header.entry("transposed").shape());
            assertEquals(0, header.dataStart() % 8);

            try (StateDict sd = SafeTensors.read(file, m)) {
                for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                    NDArray got = sd.get(e.getKey());
                    assertEquals(e.getValue().getDataType(), got.getDataType(), e.getKey());
                    assertEquals(e.getValue().getShape(), got.getShape(), e.getKey());
                    assertArrayEquals(e.getValue().toByteArray(), got.toByteArray(), e.getKey());
                }
                assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, sd.get("transposed").toFloatArray());
            }
        }
    }

    @Test
    void theBytesDoNotDependOnTheMetadataMapsOrder(@TempDir Path dir) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("w", m.arange(6f).reshape(2, 3));
            Map<String, String> ab = new LinkedHashMap<>();
            ab.put("start", "0");
            ab.put("count", "10");
            Map<String, String> ba = new LinkedHashMap<>();
            ba.put("count", "10");
            ba.put("start", "0");
            SafeTensors.write(dir.resolve("ab.safetensors"), tensors, ab);
            SafeTensors.write(dir.resolve("ba.safetensors"), tensors, ba);
            assertArrayEquals(Files.readAllBytes(dir.resolve("ab.safetensors")),
                    Files.readAllBytes(dir.resolve("ba.safetensors")));
        }
    }

    @Test
    void readsPythonWrittenFileExactly() throws IOException {
        Path file = path("tensors.safetensors");
        SafeTensorsHeader header = SafeTensors.readHeader(file);
        assertEquals(Map.of("format", "pt", "source", "core_weights.py"), header.metadata());
        assertEquals("BF16", header.entry("c.bf16").dtype());
        try (NDManager m = NDManager.newBaseManager(); StateDict sd = SafeTensors.read(file, m)) {
            assertStateDict(expected("tensors.safetensors"), sd);
        }
    }

    @Test
    void selectiveReadLoadsOnlyTheNamedTensors() throws IOException {
        Path file = path("tensors.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            try (StateDict sd = SafeTensors.read(file, m, List.of("d.i64", "b.f16"))) {
                assertEquals(List.of("b.f16", "d.i64"), List.copyOf(sd.keys()));
                assertArrayEquals(new long[] {-5, 1L << 50, 0, 9}, sd.get("d.i64").toLongArray());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SafeTensors.read(file, m, List.of("a.f32", "nope")));
            assertTrue(e.getMessage().contains("tensors.safetensors") && e.getMessage().contains("'nope'")
                    && e.getMessage().contains("a.f32, b.f16"), e.getMessage());
            assertEquals(0, m.getManagedArrays().size());
        }
    }

    /** A tensor placed past byte 2^31 of a sparse file: the read path must use 64-bit offsets. */
    @Test
    void readsTensorBeyondTwoGigabytes(@TempDir Path dir) throws IOException {
        long big = (1L << 31) + 8;
        String json = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + big + "],\"data_offsets\":[0," + big + "]},"
                + "\"small\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + big + "," + (big + 16) + "]}}";
        byte[] header = pad(json);
        Path file = dir.resolve("sparse.safetensors");
        long dataStart = 8 + header.length;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(dataStart + big + 16);
            raf.write(lengthPrefix(header.length));
            raf.write(header);
            raf.seek(dataStart + big);
            ByteBuffer data = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            data.putFloat(1.5f).putFloat(-2f).putFloat(1e-3f).putFloat(7f);
            raf.write(data.array());
        }
        assertEquals(big, SafeTensors.readHeader(file).entry("small").begin());
        try (NDManager m = NDManager.newBaseManager(); StateDict sd = SafeTensors.read(file, m, List.of("small"))) {
            assertArrayEquals(new float[] {1.5f, -2f, 1e-3f, 7f}, sd.get("small").toFloatArray());
            assertEquals(new Shape(2, 2), sd.get("small").getShape());
        }
    }

    @Test
    void damagedFilesFailNamingFileAndKey(@TempDir Path dir) throws IOException {
        byte[] good = Files.readAllBytes(path("tensors.safetensors"));
        assertFails(dir, "truncated", Arrays.copyOf(good, good.length - 3), "ends at data byte", "'d.i64'");
        assertFails(dir, "cut-header", Arrays.copyOf(good, 40), "truncated safetensors file");
        assertFails(dir, "tiny", new byte[] {1, 2}, "not a safetensors file");
        byte[] noise = new byte[1000];
        new Random(3).nextBytes(noise);
        assertFails(dir, "random", noise, "not a safetensors file");
        assertFails(dir, "not-json", file("{\"a\": {\"dtype\": F32", 0), "not valid");
        assertFails(dir, "dtype", file("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2),
                "unsupported dtype F8_E4M3", "'a'");
        assertFails(dir, "range", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8),
                "ends at data byte 16", "'a'");
        assertFails(dir, "backwards", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8),
                "offsets out of range", "'a'");
        assertFails(dir, "size", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "has 8 bytes for shape (3)", "'a'");
        assertFails(dir, "dup", file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}", 2), "duplicate tensor name 'a'");
        assertFails(dir, "overlap", file("{\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
                + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[1,3]}}", 3), "'a' and 'b' overlap");
        assertFails(dir, "no-shape", file("{\"a\":{\"dtype\":\"U8\",\"data_offsets\":[0,1]}}", 1), "'a' lacks shape");
    }

    @Test
    void unknownDtypeStillListsInHeader(@TempDir Path dir) throws IOException {
        Path f = Files.write(dir.resolve("f8.safetensors"), file("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],"
                + "\"data_offsets\":[0,2]},\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[2,3]}}", 3));
        assertEquals("F8_E4M3", SafeTensors.readHeader(f).entry("a").dtype());
        try (NDManager m = NDManager.newBaseManager(); StateDict sd = SafeTensors.read(f, m, List.of("b"))) {
            assertEquals(DataType.UINT8, sd.get("b").getDataType());
        }
    }

    @Test
    void writeRejectsTypesItCannotStore(@TempDir Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            Path f = dir.resolve("bad.safetensors");
            IOException e = assertThrows(IOException.class, () -> SafeTensors.write(f,
                    Map.of("s", m.create("text")), Map.of()));
            assertTrue(e.getMessage().contains("bad.safetensors") && e.getMessage().contains("'s'"), e.getMessage());
            assertTrue(Files.notExists(f));
        }
    }

    private static void assertFails(Path dir, String name, byte[] content, String... fragments) throws IOException {
        Path f = Files.write(dir.resolve(name + ".safetensors"), content);
        try (NDManager m = NDManager.newBaseManager()) {
            IOException e = assertThrows(IOException.class, () -> SafeTensors.read(f, m), name);
            assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
            for (String fragment : fragments) {
                assertTrue(e.getMessage().contains(fragment), name + ": " + e.getMessage());
            }
            assertEquals(0, m.getManagedArrays().size(), name);
        }
    }

    private static byte[] file(String json, int dataBytes) {
        byte[] header = pad(json);
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + dataBytes);
        return out.put(lengthPrefix(header.length)).put(header).array();
    }

    private static byte[] pad(String json) {
        byte[] raw = json.getBytes(StandardCharsets.UTF_8);
        byte[] padded = Arrays.copyOf(raw, (raw.length + 7) / 8 * 8);
        Arrays.fill(padded, raw.length, padded.length, (byte) ' ');
        return padded;
    }

    private static byte[] lengthPrefix(long n) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
    }
}
