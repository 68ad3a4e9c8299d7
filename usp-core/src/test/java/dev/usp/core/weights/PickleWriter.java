package dev.usp.core.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes pickle opcodes by hand (protocol 2) and packs them as a torch.save archive, so that
 * tests can build the broken and hostile files no honest torch.save writes.
 */
final class PickleWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter() {
        raw(0x80, 2);
    }

    PickleWriter raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleWriter repeat(int opcode, int times) {
        for (int i = 0; i < times; i++) {
            out.write(opcode);
        }
        return this;
    }

    PickleWriter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        raw('X');
        int32(b.length);
        out.writeBytes(b);
        return this;
    }

    PickleWriter int32(long v) {
        return raw((int) v & 0xff, (int) (v >> 8) & 0xff, (int) (v >> 16) & 0xff, (int) (v >> 24) & 0xff);
    }

    /** An integer of any size (LONG1), as pickle writes Python ints beyond 32 bits. */
    PickleWriter integer(long v) {
        raw(0x8a, 8);
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >> (8 * i)) & 0xff);
        }
        return this;
    }

    PickleWriter global(String module, String name) {
        raw('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    PickleWriter tuple(long... values) {
        raw('(');
        for (long v : values) {
            integer(v);
        }
        return raw('t');
    }

    /** A float32 tensor viewing storage {@code key} of {@code numel} elements. */
    PickleWriter tensor(String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        raw('(');
        raw('(').string("storage").global("torch", "FloatStorage").string(key).string("cpu").integer(numel).raw('t');
        raw('Q');
        integer(offset).tuple(size).tuple(stride).raw(0x89);
        global("collections", "OrderedDict").raw(')', 'R');
        return raw('t', 'R');
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** The pickle followed by STOP, as the {@code data.pkl} of a stored (uncompressed) archive. */
    Path save(Path file, byte[]... storages) throws IOException {
        raw('.');
        return archive(file, bytes(), false, storages);
    }

    /** Writes a torch.save-shaped zip: {@code archive/data.pkl} and {@code archive/data/<i>}. */
    static Path archive(Path file, byte[] pickle, boolean deflate, byte[]... storages) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            entry(zip, "archive/data.pkl", pickle, deflate);
            entry(zip, "archive/byteorder", "little".getBytes(StandardCharsets.US_ASCII), false);
            for (int i = 0; i < storages.length; i++) {
                entry(zip, "archive/data/" + i, storages[i], deflate);
            }
        }
        return file;
    }

    private static void entry(ZipOutputStream zip, String name, byte[] data, boolean deflate) throws IOException {
        ZipEntry e = new ZipEntry(name);
        if (!deflate) {
            CRC32 crc = new CRC32();
            crc.update(data);
            e.setMethod(ZipEntry.STORED);
            e.setSize(data.length);
            e.setCompressedSize(data.length);
            e.setCrc(crc.getValue());
        }
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }
}
