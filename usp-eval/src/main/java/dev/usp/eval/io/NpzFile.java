package dev.usp.eval.io;

import dev.usp.core.weights.ReadLimits;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads a numpy .npz file: a zip of {@code <key>.npy} entries, stored ({@code np.savez}) or
 * deflated ({@code np.savez_compressed}), zip64 included.
 *
 * <p>ADM reference batches (openai/guided-diffusion's evaluator) keep images as uint8 NHWC under
 * {@link #DEFAULT_KEY} and may hold Inception statistics under {@code mu}, {@code sigma},
 * {@code mu_s}, {@code sigma_s}.
 */
public final class NpzFile implements AutoCloseable {

    /** The key numpy gives the first positional array of {@code np.savez}. */
    public static final String DEFAULT_KEY = "arr_0";

    private static final String SUFFIX = ".npy";

    private final Path path;
    private final ZipFile zip;
    private final List<String> keys;

    private NpzFile(Path path, ZipFile zip) {
        this.path = path;
        this.zip = zip;
        List<String> k = new ArrayList<>();
        zip.stream().map(ZipEntry::getName).filter(n -> n.endsWith(SUFFIX))
                .forEach(n -> k.add(n.substring(0, n.length() - SUFFIX.length())));
        this.keys = Collections.unmodifiableList(k);
    }

    /** Opens a file for reading; close it when done. */
    public static NpzFile open(Path path) throws IOException {
        try {
            return new NpzFile(path, new ZipFile(path.toFile()));
        } catch (ZipException | EOFException | IllegalArgumentException e) {
            throw new IOException(path + ": not a .npz (zip) file: " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    /** The array names, in the order of the zip's entries. */
    public List<String> keys() {
        return keys;
    }

    public boolean contains(String key) {
        return keys.contains(key);
    }

    /** The header of one array, without reading its data. */
    public NpyHeader header(String key) throws IOException {
        try (InputStream in = open(key)) {
            return NpyHeader.read(in, where(key));
        } catch (IOException e) {
            throw named(key, e);
        }
    }

    /**
     * Reads one array whole (at most 2 GB of data). Before anything is allocated, the size its
     * header declares is checked against the bytes its zip entry declares, and a deflated entry
     * against {@link ReadLimits#inflatedBytes()}, so that a small file cannot claim gigabytes.
     */
    public NpyArray read(String key) throws IOException {
        ZipEntry e = entry(key);
        try (InputStream in = open(e)) {
            NpyHeader h = NpyHeader.read(in, where(key));
            if (e.getSize() >= 0 && h.byteSize() > e.getSize()) {
                throw new IOException(where(key) + ": the header declares " + h.byteSize() + " data bytes (" + h
                        + ") but the entry holds only " + e.getSize());
            }
            if (e.getMethod() != ZipEntry.STORED && h.byteSize() > ReadLimits.inflatedBytes()) {
                throw new IOException(where(key) + ": a deflated array of " + h.byteSize() + " bytes is more than the "
                        + ReadLimits.inflatedBytes() + " a compressed entry may inflate to; read it with batches(), or "
                        + "raise -Dusp.limits.inflatedBytes if the file is trusted");
            }
            return NpyArray.readData(in, h, where(key));
        } catch (IOException ex) {
            throw named(key, ex);
        }
    }

    /** {@code e} itself when it names the file, else a copy that does (java.util.zip's errors do not). */
    private IOException named(String key, IOException e) {
        return String.valueOf(e.getMessage()).contains(path.toString()) ? e
                : new IOException(where(key) + ": damaged entry (" + e.getMessage() + ")", e);
    }

    /**
     * Streams one C-order array in slices of {@code batchSize} along axis 0, as the ADM
     * evaluator's {@code read_batches} does; for arrays too large to hold, such as 50,000 images.
     */
    public NpyBatches batches(String key, int batchSize) throws IOException {
        InputStream in = open(key);
        try {
            return new NpyBatches(in, NpyHeader.read(in, where(key)), batchSize, where(key));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private InputStream open(String key) throws IOException {
        return open(entry(key));
    }

    private InputStream open(ZipEntry e) throws IOException {
        return new BufferedInputStream(zip.getInputStream(e), 1 << 16);
    }

    private ZipEntry entry(String key) throws IOException {
        ZipEntry e;
        try {
            e = zip.getEntry(key + SUFFIX);
        } catch (IllegalArgumentException damaged) {
            throw new IOException(where(key) + ": the archive's entry names are damaged (" + damaged.getMessage()
                    + ")", damaged);
        }
        if (e == null) {
            throw new IOException(path + ": no array '" + key + "' (keys: " + String.join(", ", keys) + ")");
        }
        return e;
    }

    private String where(String key) {
        return path + " [" + key + "]";
    }

    @Override
    public void close() throws IOException {
        zip.close();
    }
}
