package dev.usp.core.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.usp.core.io.AtomicFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * mapping names to {dtype, shape, data_offsets}, then the raw little-endian data.
 *
 * <p>Reading maps each tensor's bytes from the file separately, so files larger than 2 GB work.
 * BF16 is upcast to F32 and I16/U16 to I32, U32 to I64 in Java, since creating bfloat16 or int16
 * arrays crashes the engine. Writing supports F32, F16 and the integer types; it is atomic.
 */
public final class SafeTensors {

    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {
    }

    /**
     * Reads every tensor of a file into a new state dict that owns its arrays.
     *
     * @throws IOException naming the file on a truncated file, a bad header, an unknown dtype or
     *     offsets outside the file
     */
    public static StateDict read(Path file, NDManager manager) throws IOException {
        NDManager owner = manager.newSubManager();
        StateDict sd = new StateDict(file.toString(), owner);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(ch, file);
            JsonObject header = h.json;
            long size = h.fileSize;
            long dataStart = h.dataStart;
            for (Map.Entry<String, JsonElement> e : header.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                sd.put(e.getKey(), readTensor(ch, file, e.getKey(), e.getValue().getAsJsonObject(), dataStart, size, owner));
            }
        } catch (IOException | RuntimeException e) {
            sd.close();
            throw e;
        }
        return sd;
    }

    /**
     * Reads only the {@code __metadata__} strings of a file, after checking that the header parses
     * and that every tensor's bytes lie inside the file (so a truncated file is rejected cheaply).
     *
     * @return the metadata, empty when the file has none
     * @throws IOException naming the file when it is not a complete safetensors file
     */
    public static Map<String, String> readMetadata(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Header h = readHeader(ch, file);
            Map<String, String> meta = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : h.json.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    e.getValue().getAsJsonObject().entrySet().forEach(m -> meta.put(m.getKey(), m.getValue().getAsString()));
                    continue;
                }
                long end = e.getValue().getAsJsonObject().getAsJsonArray("data_offsets").get(1).getAsLong();
                if (h.dataStart + end > h.fileSize) {
                    throw new IOException(file + ": truncated: tensor '" + e.getKey() + "' ends at byte "
                            + (h.dataStart + end) + " but the file has " + h.fileSize);
                }
            }
            return meta;
        }
    }

    /** The parsed JSON header, where the data region starts, and the file size. */
    private record Header(JsonObject json, long dataStart, long fileSize) {
    }

    private static Header readHeader(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new IOException(file + ": not a safetensors file (only " + size + " bytes)");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0, file);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
            throw new IOException(file + ": not a safetensors file or truncated (header length "
                    + headerLen + ", file size " + size + ")");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
        readFully(ch, headerBuf, 8, file);
        JsonObject header;
        try {
            header = new Gson().fromJson(new String(headerBuf.array(), StandardCharsets.UTF_8), JsonObject.class);
        } catch (JsonParseException | ClassCastException e) {
            throw new IOException(file + ": safetensors header is not valid JSON: " + e.getMessage(), e);
        }
        if (header == null) {
            throw new IOException(file + ": empty safetensors header");
        }
        return new Header(header, 8 + headerLen, size);
    }

    private static NDArray readTensor(FileChannel ch, Path file, String name, JsonObject info,
                                      long dataStart, long fileSize, NDManager owner) throws IOException {
        String dtype = info.get("dtype").getAsString();
        JsonArray shapeJson = info.getAsJsonArray("shape");
        long[] dims = new long[shapeJson.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shapeJson.get(i).getAsLong();
        }
        Shape shape = new Shape(dims);
        JsonArray off = info.getAsJsonArray("data_offsets");
        long begin = off.get(0).getAsLong();
        long end = off.get(1).getAsLong();
        SafeDType t = SafeDType.parse(dtype, file, name);
        long expected = shape.size() * t.bytes;
        if (end - begin != expected || begin < 0) {
            throw new IOException(file + ": tensor '" + name + "' has " + (end - begin) + " bytes for shape "
                    + shape + " of " + dtype + " (expected " + expected + ")");
        }
        if (dataStart + end > fileSize) {
            throw new IOException(file + ": truncated: tensor '" + name + "' ends at byte " + (dataStart + end)
                    + " but the file has " + fileSize);
        }
        if (expected > Integer.MAX_VALUE) {
            throw new IOException(file + ": tensor '" + name + "' is larger than 2 GB, which is not supported");
        }
        ByteBuffer raw = ByteBuffer.allocateDirect((int) expected).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, raw, dataStart + begin, file);
        raw.flip();
        NDArray array = t.toArray(raw, shape, owner);
        array.setName(name);
        return array;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos, Path file) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException(file + ": truncated at byte " + pos);
            }
            pos += n;
        }
    }

    /** Writes the tensors (in order) to {@code file}, atomically. */
    public static void write(Path file, StateDict sd) throws IOException {
        write(file, sd.asMap(), Map.of());
    }

    /** Writes named tensors and optional string metadata to {@code file}, atomically. */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        Map<String, SafeDType> types = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            NDArray a = e.getValue();
            SafeDType t = SafeDType.of(a.getDataType(), file, e.getKey());
            types.put(e.getKey(), t);
            long n = a.getShape().size() * t.bytes;
            JsonObject info = new JsonObject();
            info.addProperty("dtype", t.name());
            JsonArray shape = new JsonArray();
            for (long d : a.getShape().getShape()) {
                shape.add(d);
            }
            info.add("shape", shape);
            JsonArray off = new JsonArray();
            off.add(offset);
            off.add(offset + n);
            info.add("data_offsets", off);
            header.add(e.getKey(), info);
            offset += n;
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(json);
            for (int i = json.length; i < padded; i++) {
                out.write(' ');
            }
            for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
                writeData(out, e.getValue());
            }
        });
    }

    private static void writeData(OutputStream out, NDArray a) throws IOException {
        // A GPU array's host copy belongs to the array's manager (a model's, for a checkpoint): close it.
        NDArray host = a.toDevice(ai.djl.Device.cpu(), false);
        try {
            ByteBuffer bb = host.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            byte[] chunk = new byte[1 << 16];
            while (bb.hasRemaining()) {
                int n = Math.min(chunk.length, bb.remaining());
                bb.get(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        } finally {
            if (host != a) {
                host.close();
            }
        }
    }
}
