package dev.usp.core.weights;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.usp.core.io.AtomicFiles;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
 * mapping names to {dtype, shape, data_offsets}, then the raw little-endian data.
 *
 * <p>Reading positions into the file for each tensor separately, so files larger than 2 GB work
 * and a subset of names can be loaded without touching the rest. BF16 is upcast to F32, I16/U16
 * to I32 and U32 to I64 in Java, since creating bfloat16 or int16 arrays crashes the engine.
 * Writing supports F64, F32, F16, the integer types and BOOL; it is atomic.
 */
public final class SafeTensors {

    private SafeTensors() {
    }

    /**
     * Reads the header only: names, dtypes, shapes, byte ranges and metadata, without any data.
     *
     * @throws IOException naming the file on a truncated file, a bad header, duplicate names or
     *     offsets outside the file
     */
    public static SafeTensorsHeader readHeader(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return SafeTensorsHeader.read(ch, file);
        }
    }

    /**
     * Reads every tensor of a file into a new state dict that owns its arrays (a sub-manager of
     * {@code manager}).
     *
     * @throws IOException naming the file (and key) on a truncated file, a bad header, an unknown
     *     dtype or offsets outside the file
     */
    public static StateDict read(Path file, NDManager manager) throws IOException {
        return read(file, manager, null);
    }

    /**
     * Reads the named tensors only (all when {@code names} is null), in file header order.
     *
     * @throws IllegalArgumentException naming the file and the key when a name is absent
     * @throws IOException as {@link #read(Path, NDManager)}
     */
    public static StateDict read(Path file, NDManager manager, Collection<String> names) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            SafeTensorsHeader header = SafeTensorsHeader.read(ch, file);
            Map<String, String> renames = new LinkedHashMap<>();
            if (names == null) {
                header.tensors().keySet().forEach(n -> renames.put(n, n));
            } else {
                Set<String> wanted = new HashSet<>(names);
                wanted.forEach(header::entry);
                header.tensors().keySet().stream().filter(wanted::contains).forEach(n -> renames.put(n, n));
            }
            return read(ch, header, renames, manager);
        }
    }

    /**
     * Reads the tensors named by the keys of {@code renames}, storing each under its value.
     * The returned dict owns a new sub-manager of {@code manager}.
     */
    static StateDict read(FileChannel ch, SafeTensorsHeader header, Map<String, String> renames, NDManager manager)
            throws IOException {
        NDManager owner = manager.newSubManager();
        StateDict sd = new StateDict(header.file().toString(), owner);
        try {
            for (Map.Entry<String, String> r : renames.entrySet()) {
                sd.put(r.getValue(), readTensor(ch, header, header.entry(r.getKey()), owner));
            }
        } catch (IOException | RuntimeException e) {
            sd.close();
            throw e;
        }
        return sd;
    }

    private static NDArray readTensor(FileChannel ch, SafeTensorsHeader header, SafeTensorsHeader.Entry e,
                                      NDManager owner) throws IOException {
        Path file = header.file();
        SafeDType t = SafeDType.parse(e.dtype(), file, e.name());
        if (e.byteSize() > Integer.MAX_VALUE) {
            throw new IOException(file + ": tensor '" + e.name() + "' has " + e.byteSize()
                    + " bytes; one tensor over 2 GB is not supported");
        }
        ByteBuffer raw = ByteBuffer.allocateDirect((int) e.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        SafeTensorsHeader.readFully(ch, raw, header.dataStart() + e.begin(), file);
        raw.flip();
        try {
            NDArray array = t.toArray(raw, e.shape(), owner);
            array.setName(e.name());
            return array;
        } catch (IllegalArgumentException ex) {
            throw new IOException(file + ": tensor '" + e.name() + "': " + ex.getMessage(), ex);
        }
    }

    /** Writes the tensors (in order) to {@code file}, atomically. */
    public static void write(Path file, StateDict sd) throws IOException {
        write(file, sd.asMap(), Map.of());
    }

    /**
     * Writes named tensors and optional string metadata to {@code file}, atomically: on any error
     * the previous file is left as it was. Tensors keep the map's order; metadata keys are written
     * sorted, so that the bytes never depend on a map's iteration order (that of {@code Map.of}
     * changes from one JVM to the next).
     *
     * @throws IOException naming the key when a tensor's type cannot be written
     */
    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            new TreeMap<>(metadata).forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
            if (e.getKey().isEmpty() || e.getKey().equals("__metadata__")) {
                throw new IOException(file + ": cannot write a tensor named '" + e.getKey() + "'");
            }
            NDArray a = e.getValue();
            SafeDType t = SafeDType.of(a.getDataType(), file, e.getKey());
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
        List<NDArray> arrays = new ArrayList<>(tensors.values());
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
            out.write(len.array());
            out.write(json);
            for (int i = json.length; i < padded; i++) {
                out.write(' ');
            }
            for (NDArray a : arrays) {
                writeData(out, a);
            }
        });
    }

    private static void writeData(OutputStream out, NDArray a) throws IOException {
        if (a.getShape().size() == 0) {
            return;
        }
        boolean onCpu = a.getDevice().equals(Device.cpu());
        NDArray cpu = onCpu ? a : a.toDevice(Device.cpu(), true);
        try {
            ByteBuffer bb = cpu.toByteBuffer();
            byte[] chunk = new byte[1 << 16];
            while (bb.hasRemaining()) {
                int n = Math.min(chunk.length, bb.remaining());
                bb.get(chunk, 0, n);
                out.write(chunk, 0, n);
            }
        } finally {
            if (!onCpu) {
                cpu.close();
            }
        }
    }
}
