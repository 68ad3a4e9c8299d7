package dev.usp.core.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads files written by {@code torch.save} (PyTorch >= 1.6, the zip format) in pure Java.
 *
 * <p>{@link #open(Path)} unpickles {@code <folder>/data.pkl} into plain values without reading
 * any tensor data: dicts become {@link LinkedHashMap}s (order kept), lists and tuples
 * {@link List}s, Python scalars {@link Integer}/{@link Long}/{@link Double}/{@link Boolean},
 * strings {@link String}, tensors {@link TensorRef}s, and objects of other classes (such as
 * {@code argparse.Namespace}) {@link PyObject}s. Tensor data is then read per tensor from
 * {@code <folder>/data/<key>}, honouring storage offsets and strides, so views that share a
 * storage and transposed tensors come out as PyTorch shows them. BF16 becomes F32 and int16
 * becomes int32. Files over 2 GB work (zip64); one tensor must stay under 2 GB.
 */
public final class TorchCheckpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TorchCheckpoint.class);
    private static final String PICKLE = "data.pkl";

    private final Path file;
    private final ZipFile zip;
    private final String prefix;
    private final Object root;
    private long inflated;

    private TorchCheckpoint(Path file, ZipFile zip, String prefix, Object root) {
        this.file = file;
        this.zip = zip;
        this.prefix = prefix;
        this.root = root;
    }

    /**
     * Opens a checkpoint and reads its object tree (no tensor data yet).
     *
     * @throws IOException naming the file when it is not a torch.save zip, is truncated, is in the
     *     legacy pre-1.6 format (re-save it with a newer torch), or its pickle cannot be read
     */
    public static TorchCheckpoint open(Path file) throws IOException {
        WeightFiles.Format format = WeightFiles.detect(file);
        if (format == WeightFiles.Format.TORCH_LEGACY) {
            throw new IOException(file + ": legacy torch.save format (PyTorch < 1.6 or "
                    + "_use_new_zipfile_serialization=False) is not supported; re-save it with PyTorch >= 1.6, without "
                    + "running its pickle: torch.save(torch.load(path, weights_only=True), new_path)");
        }
        if (format != WeightFiles.Format.TORCH_ZIP) {
            throw new IOException(file + ": not a torch.save file (no zip signature; detected " + format + ")");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException | EOFException | RuntimeException e) {
            throw new IOException(file + ": truncated or corrupt torch.save zip archive (" + e.getMessage() + ")", e);
        }
        try {
            String prefix = findPrefix(zip, file);
            checkByteOrder(zip, prefix, file);
            return new TorchCheckpoint(file, zip, prefix, unpickle(zip, prefix, file));
        } catch (IOException e) {
            zip.close();
            throw String.valueOf(e.getMessage()).contains(file.toString()) ? e
                    : new IOException(file + ": damaged torch.save archive (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            // from java.util.zip, e.g. an entry name that is not UTF-8; the pickle's own errors come as IOException
            zip.close();
            throw new IOException(file + ": damaged torch.save archive (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Reads the whole tree with every tensor as an {@link NDArray} created in {@code manager}
     * (the caller owns and closes them with it).
     */
    public static Object readTree(Path file, NDManager manager) throws IOException {
        try (TorchCheckpoint ckpt = open(file)) {
            return ckpt.materialize(ckpt.root(), manager);
        }
    }

    /**
     * Reads the state dict stored under a top-level key ({@code "model"}, {@code "ema"}...), or
     * the top level itself when {@code key} is null and it is a dict of tensors. Only the tensors
     * of that state dict are read.
     *
     * @throws IllegalArgumentException naming the file and the available keys when the key is
     *     missing or does not hold a dict of tensors
     * @see #stateDict(String, NDManager)
     */
    public static StateDict selectStateDict(Path file, String key, NDManager manager) throws IOException {
        try (TorchCheckpoint ckpt = open(file)) {
            return ckpt.stateDict(key, manager);
        }
    }

    /** The checkpoint file. */
    public Path file() {
        return file;
    }

    /** The unpickled object tree, with tensors as {@link TensorRef}s. */
    public Object root() {
        return root;
    }

    /** True when the top level itself is a state dict: a non-empty dict whose values are all tensors. */
    public boolean isStateDict() {
        return root instanceof Map<?, ?> m && !m.isEmpty() && m.values().stream().allMatch(v -> v instanceof TensorRef);
    }

    /** The top-level keys when the tree is a dict (as strings), else an empty list. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        if (root instanceof Map<?, ?> m) {
            m.keySet().forEach(k -> keys.add(String.valueOf(k)));
        }
        return keys;
    }

    /**
     * A copy of {@code node} (any part of {@link #root()}) with every {@link TensorRef} read into
     * an {@link NDArray} created in {@code manager}. Refs that are the same Python tensor give
     * the same array.
     */
    public Object materialize(Object node, NDManager manager) throws IOException {
        try {
            return materialize(node, manager, new IdentityHashMap<>(), "");
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private Object materialize(Object node, NDManager manager, Map<TensorRef, NDArray> done, String path)
            throws IOException {
        if (node instanceof TensorRef ref) {
            NDArray array = done.get(ref);
            if (array == null) {
                array = readTensor(ref, path, manager);
                done.put(ref, array);
            }
            return array;
        }
        if (node instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put(e.getKey(), materialize(e.getValue(), manager, done, join(path, e.getKey())));
            }
            return out;
        }
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                out.add(materialize(list.get(i), manager, done, join(path, i)));
            }
            return Collections.unmodifiableList(out);
        }
        if (node instanceof PyObject obj) {
            return obj.map(v -> {
                try {
                    return materialize(v, manager, done, path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        return node;
    }

    /**
     * Reads the state dict under {@code key} (see {@link #selectStateDict}) into a new state dict
     * that owns its arrays (a sub-manager of {@code manager}). Nested dicts are flattened with
     * dotted names; non-tensor values are skipped with a warning.
     */
    public StateDict stateDict(String key, NDManager manager) throws IOException {
        Map<?, ?> dict = select(key);
        Map<String, TensorRef> refs = new LinkedHashMap<>();
        List<String> skipped = new ArrayList<>();
        flatten("", dict, refs, skipped);
        String where = key == null ? "the top level" : "'" + key + "'";
        if (refs.isEmpty()) {
            throw new IllegalArgumentException(file + ": " + where + " holds no tensors (keys " + dict.keySet() + ")");
        }
        if (!skipped.isEmpty()) {
            LOG.warn("{}: skipped {} non-tensor entries of {}: {}", file, skipped.size(), where,
                    SafeTensorsHeader.preview(skipped));
        }
        NDManager owner = manager.newSubManager();
        StateDict sd = new StateDict(key == null ? file.toString() : file + " [" + key + "]", owner);
        Map<TensorRef, NDArray> done = new IdentityHashMap<>();
        try {
            for (Map.Entry<String, TensorRef> e : refs.entrySet()) {
                sd.put(e.getKey(), (NDArray) materialize(e.getValue(), owner, done, e.getKey()));
            }
        } catch (IOException | RuntimeException e) {
            sd.close();
            throw e;
        }
        return sd;
    }

    private Map<?, ?> select(String key) {
        if (key == null) {
            if (isStateDict()) {
                return (Map<?, ?>) root;
            }
            if (!(root instanceof Map)) {
                throw new IllegalArgumentException(file + ": the top level is a " + typeName(root)
                        + ", not a state dict" + (root instanceof PyObject ? " (a Python object, which is not run: "
                        + "only plain data is read)" : ""));
            }
            if (((Map<?, ?>) root).isEmpty()) {
                throw new IllegalArgumentException(file + ": the top level is an empty dict, not a state dict");
            }
            throw new IllegalArgumentException(file + ": the top level is not a state dict; choose one of its keys "
                    + keys());
        }
        if (!(root instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(file + ": the top level is a " + typeName(root)
                    + ", not a dict, so it has no key '" + key + "'");
        }
        if (!m.containsKey(key)) {
            throw new IllegalArgumentException(file + ": no key '" + key + "' (available keys: " + keys() + ")");
        }
        if (!(m.get(key) instanceof Map<?, ?> value)) {
            throw new IllegalArgumentException(file + ": '" + key + "' is a " + typeName(m.get(key))
                    + ", not a state dict (available keys: " + keys() + ")");
        }
        return value;
    }

    private static void flatten(String path, Map<?, ?> dict, Map<String, TensorRef> out, List<String> skipped) {
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            String name = join(path, e.getKey());
            if (e.getValue() instanceof TensorRef ref) {
                out.put(name, ref);
            } else if (e.getValue() instanceof Map<?, ?> nested) {
                flatten(name, nested, out, skipped);
            } else {
                skipped.add(name);
            }
        }
    }

    private static String join(String path, Object key) {
        return path.isEmpty() ? String.valueOf(key) : path + "." + key;
    }

    private static String typeName(Object value) {
        if (value == null) {
            return "None";
        }
        if (value instanceof PyObject o) {
            return o.className();
        }
        if (value instanceof List) {
            return "list";
        }
        return value instanceof TensorRef ? "tensor" : value.getClass().getSimpleName();
    }

    /** Reads one tensor's elements from its storage entry, following offset and strides. */
    private NDArray readTensor(TensorRef ref, String name, NDManager manager) throws IOException {
        TorchStorage storage = ref.storage();
        String where = file + ": tensor '" + name + "'";
        if (storage.type() == null) {
            throw new IOException(where + " has storage type " + storage.className() + ", which is not supported");
        }
        int es = storage.type().bytes;
        long end;
        long spanBytes;
        long bytes;
        try {
            end = ref.storageEnd();
            spanBytes = Math.multiplyExact(end - ref.storageOffset(), es);
            bytes = Math.multiplyExact(ref.numel(), es);
        } catch (ArithmeticException e) {
            throw new IOException(where + " has size " + ref.shape() + " and stride "
                    + Arrays.toString(ref.stride()) + " that overflow 64 bits", e);
        }
        if (end > storage.numel()) {
            throw new IOException(where + " reaches element " + end + " of storage '" + storage.key()
                    + "', which has only " + storage.numel());
        }
        if (spanBytes > Integer.MAX_VALUE || bytes > Integer.MAX_VALUE) {
            throw new IOException(where + " has " + Math.max(spanBytes, bytes)
                    + " bytes; one tensor over 2 GB is not supported");
        }
        if (bytes - spanBytes > ReadLimits.repeatedViewBytes()) {
            throw new IOException(where + " has shape " + ref.shape() + " and stride " + Arrays.toString(ref.stride())
                    + ": a view that repeats " + spanBytes + " stored bytes into " + bytes + " (limit "
                    + ReadLimits.repeatedViewBytes() + " bytes beyond its storage; save a .clone() of it instead, or "
                    + ReadLimits.raise("repeatedViewBytes") + ")");
        }
        ByteBuffer span = ByteBuffer.allocateDirect((int) spanBytes).order(ByteOrder.LITTLE_ENDIAN);
        if (spanBytes > 0) {
            readStorage(storage, ref.storageOffset() * es, span, where);
        }
        span.flip();
        ByteBuffer data = ref.isContiguous() ? span : gather(span, ref, es);
        try {
            NDArray array = storage.type().toArray(data, ref.shape(), manager);
            array.setName(name);
            return array;
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": " + e.getMessage(), e);
        }
    }

    private void readStorage(TorchStorage storage, long skip, ByteBuffer into, String where) throws IOException {
        String entryName = prefix + "data/" + storage.key();
        ZipEntry entry;
        try {
            entry = zip.getEntry(entryName);
        } catch (RuntimeException e) {
            // java.util.zip compares against damaged names this way (not UTF-8)
            throw new IOException(where + ": the archive's entry names are damaged (" + e.getMessage() + ")", e);
        }
        if (entry == null) {
            throw new IOException(where + ": its storage entry '" + entryName + "' is missing from the archive");
        }
        long expected = storage.numel() * storage.type().bytes;
        if (entry.getSize() >= 0 && entry.getSize() < expected) {
            throw new IOException(where + ": storage '" + entryName + "' has " + entry.getSize() + " bytes but "
                    + storage.numel() + " elements of " + storage.className() + " need " + expected);
        }
        if (entry.getMethod() != ZipEntry.STORED) {
            inflated += skip + into.remaining();
            if (inflated > ReadLimits.inflatedBytes()) {
                throw new IOException(where + ": reading it would decompress " + inflated + " bytes from deflated "
                        + "entries of this file, more than the limit of " + ReadLimits.inflatedBytes()
                        + " (torch.save does not compress; " + ReadLimits.raise("inflatedBytes") + ")");
            }
        }
        byte[] chunk = new byte[Math.min(1 << 20, into.remaining())];
        try (InputStream in = zip.getInputStream(entry)) {
            in.skipNBytes(skip);
            while (into.hasRemaining()) {
                int n = in.read(chunk, 0, Math.min(chunk.length, into.remaining()));
                if (n < 0) {
                    throw new EOFException();
                }
                into.put(chunk, 0, n);
            }
        } catch (EOFException e) {
            throw new IOException(where + ": storage '" + entryName + "' is truncated", e);
        } catch (ZipException e) {
            throw new IOException(where + ": storage '" + entryName + "' is damaged (" + e.getMessage() + ")", e);
        }
    }

    /** Copies a strided view's elements (each {@code es} bytes) into a new row-major buffer. */
    private static ByteBuffer gather(ByteBuffer span, TensorRef ref, int es) {
        long[] dims = ref.shape().getShape();
        long[] stride = ref.stride();
        long n = ref.shape().size();
        ByteBuffer out = ByteBuffer.allocateDirect((int) (n * es)).order(ByteOrder.LITTLE_ENDIAN);
        long[] index = new long[dims.length];
        long pos = 0;
        for (long i = 0; i < n; i++) {
            int at = (int) (pos * es);
            for (int b = 0; b < es; b++) {
                out.put(span.get(at + b));
            }
            for (int d = dims.length - 1; d >= 0; d--) {
                pos += stride[d];
                if (++index[d] < dims[d]) {
                    break;
                }
                pos -= stride[d] * dims[d];
                index[d] = 0;
            }
        }
        return out.flip();
    }

    private static String findPrefix(ZipFile zip, Path file) throws IOException {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            int slash = name.indexOf('/');
            if (name.endsWith("/" + PICKLE) && slash == name.length() - PICKLE.length() - 1) {
                return name.substring(0, slash + 1);
            }
        }
        throw new IOException(file + ": a zip archive without <folder>/" + PICKLE + ", so not a torch.save file");
    }

    private static void checkByteOrder(ZipFile zip, String prefix, Path file) throws IOException {
        ZipEntry entry = zip.getEntry(prefix + "byteorder");
        if (entry == null) {
            return;
        }
        try (InputStream in = zip.getInputStream(entry)) {
            String order = new String(in.readNBytes(16), StandardCharsets.US_ASCII).trim();
            if (!order.equals("little")) {
                throw new IOException(file + ": tensors are stored in '" + order + "' byte order; only little-endian"
                        + " checkpoints are supported");
            }
        }
    }

    private static Object unpickle(ZipFile zip, String prefix, Path file) throws IOException {
        byte[] pickle = readPickle(zip, zip.getEntry(prefix + PICKLE), file);
        TorchUnpickler unpickler = new TorchUnpickler();
        try {
            return PickleTree.normalize(unpickler.load(pickle));
        } catch (IOException | RuntimeException e) {
            throw new IOException(file + ": cannot read " + prefix + PICKLE + ": " + message(e), e);
        } finally {
            unpickler.close();
        }
    }

    private static String message(Throwable e) {
        String text = e.getMessage();
        return text == null || text.isBlank() ? e.getClass().getSimpleName() : text;
    }

    /** The pickle's bytes, refused past {@link ReadLimits#pickleBytes()} or past its declared size. */
    private static byte[] readPickle(ZipFile zip, ZipEntry entry, Path file) throws IOException {
        long limit = ReadLimits.pickleBytes();
        long declared = entry.getSize();
        String name = entry.getName();
        if (declared > limit) {
            throw new IOException(file + ": " + name + " declares " + declared + " bytes, more than the limit of "
                    + limit + " for an object tree (tensors are stored outside it); " + ReadLimits.raise("pickleBytes"));
        }
        byte[] bytes;
        try (InputStream in = zip.getInputStream(entry)) {
            bytes = in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 16) + 1);
        } catch (ZipException | EOFException e) {
            throw new IOException(file + ": " + name + " is damaged (" + e.getMessage() + ")", e);
        }
        if (bytes.length > limit) {
            throw new IOException(file + ": " + name + " inflates to more than " + limit + " bytes (a zip bomb or "
                    + "not a checkpoint); " + ReadLimits.raise("pickleBytes"));
        }
        if (declared >= 0 && bytes.length != declared) {
            throw new IOException(file + ": " + name + " holds " + bytes.length + " bytes but its zip entry declares "
                    + declared);
        }
        return bytes;
    }

    /** Closes the archive; arrays already read stay valid. */
    @Override
    public void close() throws IOException {
        zip.close();
    }

    @Override
    public String toString() {
        return "TorchCheckpoint(" + file + ", keys " + keys() + ")";
    }
}
