package dev.usp.core.weights;

import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;

import java.io.EOFException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed header of a safetensors file: each tensor's dtype, shape and byte range, and the
 * string metadata. Parsing checks everything that can be checked without reading the data:
 * header length, JSON syntax, duplicate names, offsets inside the file, sizes that match the
 * shape, and no overlapping tensors. Every error names the file and, where there is one, the key.
 */
public final class SafeTensorsHeader {

    /** One tensor's entry: dtype as written in the file (F32, BF16...), shape, and byte range. */
    public record Entry(String name, String dtype, Shape shape, long begin, long end) {
        /** Bytes the tensor occupies in the data section. */
        public long byteSize() {
            return end - begin;
        }
    }

    private static final long MAX_HEADER = 100L << 20;
    private static final String METADATA = "__metadata__";

    private final Path file;
    private final long dataStart;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafeTensorsHeader(Path file, long dataStart, Map<String, Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.dataStart = dataStart;
        this.entries = Collections.unmodifiableMap(entries);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** The file this header was read from. */
    public Path file() {
        return file;
    }

    /** Byte position in the file where the data section begins (8 + header length). */
    public long dataStart() {
        return dataStart;
    }

    /** The tensors in header order, by name. */
    public Map<String, Entry> tensors() {
        return entries;
    }

    /** The {@code __metadata__} strings, empty when the file has none. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Returns the entry of that name.
     *
     * @throws IllegalArgumentException naming the file, the key and some of the names present
     */
    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException(file + ": no tensor '" + name + "' (the file has " + entries.size()
                    + " tensors: " + preview(entries.keySet()) + ")");
        }
        return e;
    }

    static String preview(Iterable<?> names) {
        StringBuilder sb = new StringBuilder();
        int n = 0;
        for (Object name : names) {
            if (n == 20) {
                sb.append(", ...");
                break;
            }
            sb.append(n++ == 0 ? "" : ", ").append(name);
        }
        return sb.toString();
    }

    /** Reads and validates the header of an open file. */
    static SafeTensorsHeader read(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new IOException(file + ": not a safetensors file (only " + size + " bytes)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0, file);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen < 2 || headerLen > MAX_HEADER) {
            throw new IOException(file + ": not a safetensors file (header length " + headerLen
                    + " is outside 2.." + MAX_HEADER + ")");
        }
        if (8 + headerLen > size) {
            throw new IOException(file + ": truncated safetensors file: the header needs " + headerLen
                    + " bytes but only " + (size - 8) + " follow the length");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(ch, headerBuf, 8, file);
        String json = new String(headerBuf.array(), StandardCharsets.UTF_8);
        if (!json.stripLeading().startsWith("{")) {
            throw new IOException(file + ": not a safetensors file (the header is not a JSON object)");
        }
        long dataStart = 8 + headerLen;
        try {
            return parse(file, json, dataStart, size - dataStart);
        } catch (MalformedJsonException | EOFException | JsonParseException | IllegalStateException
                 | NumberFormatException e) {
            Throwable cause = e.getCause() instanceof MalformedJsonException ? e.getCause() : e;
            String why = String.valueOf(cause.getMessage()).replaceAll(" path \\$\\S*", "");
            throw new IOException(file + ": safetensors header is not valid: " + why, e);
        }
    }

    private static SafeTensorsHeader parse(Path file, String json, long dataStart, long dataSize) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        try (JsonReader in = new JsonReader(new StringReader(json))) {
            in.setNestingLimit(ReadLimits.JSON_DEPTH);
            in.beginObject();
            boolean sawMetadata = false;
            while (in.hasNext()) {
                String name = in.nextName();
                if (entries.containsKey(name) || (name.equals(METADATA) && sawMetadata)) {
                    throw new IOException(file + ": duplicate tensor name '" + name + "' in the safetensors header");
                }
                if (name.equals(METADATA)) {
                    sawMetadata = true;
                    readMetadata(in, metadata);
                } else {
                    entries.put(name, readEntry(in, file, name, dataSize));
                }
            }
            in.endObject();
            if (in.peek() != JsonToken.END_DOCUMENT) {
                throw new IOException(file + ": safetensors header has content after its JSON object");
            }
        }
        checkOverlaps(file, entries);
        return new SafeTensorsHeader(file, dataStart, entries, metadata);
    }

    private static void readMetadata(JsonReader in, Map<String, String> metadata) throws IOException {
        in.beginObject();
        while (in.hasNext()) {
            String key = in.nextName();
            if (in.peek() == JsonToken.STRING) {
                metadata.put(key, in.nextString());
            } else {
                metadata.put(key, JsonParser.parseReader(in).toString());
            }
        }
        in.endObject();
    }

    private static Entry readEntry(JsonReader in, Path file, String name, long dataSize) throws IOException {
        String dtype = null;
        long[] dims = null;
        long[] offsets = null;
        in.beginObject();
        while (in.hasNext()) {
            switch (in.nextName()) {
                case "dtype":
                    dtype = in.nextString();
                    break;
                case "shape":
                    dims = readLongs(in);
                    break;
                case "data_offsets":
                    offsets = readLongs(in);
                    break;
                default:
                    in.skipValue();
            }
        }
        in.endObject();
        String where = file + ": tensor '" + name + "'";
        if (dtype == null || dims == null || offsets == null) {
            throw new IOException(where + " lacks " + (dtype == null ? "dtype" : dims == null ? "shape" : "data_offsets"));
        }
        if (offsets.length != 2) {
            throw new IOException(where + " has " + offsets.length + " data_offsets (expected 2)");
        }
        long numel = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IOException(where + " has a negative dimension in shape " + java.util.Arrays.toString(dims));
            }
            try {
                numel = Math.multiplyExact(numel, d);
            } catch (ArithmeticException e) {
                throw new IOException(where + " has shape " + java.util.Arrays.toString(dims)
                        + ", whose element count overflows 64 bits", e);
            }
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin) {
            throw new IOException(where + " has data offsets out of range [" + begin + ", " + end + ")");
        }
        if (end > dataSize) {
            throw new IOException(where + " ends at data byte " + end + " but the data section has only " + dataSize
                    + " bytes (truncated file or offsets out of range)");
        }
        Shape shape = new Shape(dims);
        SafeDType known = SafeDType.lookup(dtype);
        if (known != null && (numel > dataSize || end - begin != numel * known.bytes)) {
            throw new IOException(where + " has " + (end - begin) + " bytes for shape " + shape + " of " + dtype
                    + " (expected " + (numel > dataSize ? "more than the file holds" : numel * known.bytes) + ")");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long[] readLongs(JsonReader in) throws IOException {
        List<Long> values = new ArrayList<>();
        in.beginArray();
        while (in.hasNext()) {
            values.add(in.nextLong());
        }
        in.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static void checkOverlaps(Path file, Map<String, Entry> entries) throws IOException {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.byteSize() == 0) {
                continue;
            }
            if (previous != null && e.begin() < previous.end()) {
                throw new IOException(file + ": tensors '" + previous.name() + "' and '" + e.name()
                        + "' overlap in the data section (offsets out of range)");
            }
            previous = e;
        }
    }

    static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException(file + ": truncated at byte " + pos);
            }
            pos += n;
        }
    }
}
