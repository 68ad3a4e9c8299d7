package dev.usp.core.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Builds one small file per hostile or broken input that the weight readers must refuse, each
 * with a fragment its error message must contain. The files are megabytes at most; what they
 * claim (gigabytes, depth, expansion) is what the readers must not believe.
 */
final class HostileWeightFiles {

    private HostileWeightFiles() {
    }

    /** Writes every case into {@code dir}; returns file name to expected message fragment. */
    static Map<String, String> write(Path dir) throws IOException {
        Map<String, String> cases = new LinkedHashMap<>();
        safetensors(dir, cases);
        pickles(dir, cases);
        tensors(dir, cases);
        bombs(dir, cases);
        return cases;
    }

    private static void safetensors(Path dir, Map<String, String> cases) throws IOException {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        Files.write(dir.resolve("deep-metadata.safetensors"), safetensors("{\"__metadata__\":{\"a\":" + deep + "}}"));
        cases.put("deep-metadata.safetensors", "Nesting limit 64");
        byte[] huge = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 62).put((byte) '{')
                .put((byte) '}').array();
        Files.write(dir.resolve("huge-header.safetensors"), huge);
        cases.put("huge-header.safetensors", "header length 4611686018427387904 is outside");
        Files.write(dir.resolve("overflow-shape.safetensors"), safetensors(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4],\"data_offsets\":[0,4]}}"));
        cases.put("overflow-shape.safetensors", "overflows 64 bits");
        Files.write(dir.resolve("negative-shape.safetensors"), safetensors(
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[-3,2],\"data_offsets\":[0,4]}}"));
        cases.put("negative-shape.safetensors", "negative dimension in shape [-3, 2]");
    }

    private static void pickles(Path dir, Map<String, String> cases) throws IOException {
        new PickleWriter().raw('X').int32(0x7fffffff).raw('a', 'b', 'c').save(dir.resolve("long-string.pth"));
        cases.put("long-string.pth", "declares 2147483647 bytes but only 4 bytes");
        int depth = 400_000;
        new PickleWriter().repeat(']', depth).repeat('a', depth - 1).save(dir.resolve("deep-lists.pth"));
        cases.put("deep-lists.pth", "deeper than 64 levels");
        new PickleWriter().raw(']', 'q', 0, 'h', 0, 'a').save(dir.resolve("cycle.pth"));
        cases.put("cycle.pth", "contains itself");
        PickleWriter laughs = new PickleWriter().raw(']', 'q', 0);
        for (int level = 1; level < 64; level++) {
            laughs.raw(']', 'h', level - 1, 'a', 'h', level - 1, 'a', 'q', level);
        }
        laughs.save(dir.resolve("laughs.pth"));
        cases.put("laughs.pth", "expands to more than 10000000 values");
        new PickleWriter().global("posix", "system").raw('(').string("echo pwned").raw('t', 'R')
                .save(dir.resolve("global.pth"));
        cases.put("global.pth", "the top level is a posix.system");
        new PickleWriter().raw('}', ']', ']', 's').save(dir.resolve("list-key.pth"));
        cases.put("list-key.pth", "a dict key of type ArrayList");
        PickleWriter pushPop = new PickleWriter();
        for (int i = 0; i < 30_000_000; i++) {
            pushPop.raw(']', '0');
        }
        pushPop.raw('}').save(dir.resolve("push-pop.pth"));
        cases.put("push-pop.pth", "the top level is an empty dict");
    }

    private static void tensors(Path dir, Map<String, String> cases) throws IOException {
        byte[] one = new byte[4];
        stateDict(new long[] {1L << 27}, new long[] {0}, 1).save(dir.resolve("stride0.pth"), one);
        cases.put("stride0.pth", "a view that repeats 4 stored bytes into 536870912");
        stateDict(new long[] {1L << 62, 4}, new long[] {1, 1}, 1).save(dir.resolve("overflow-view.pth"), one);
        cases.put("overflow-view.pth", "that overflow 64 bits");
        stateDict(new long[] {1}, new long[] {1}, 1L << 62).save(dir.resolve("huge-storage.pth"), one);
        cases.put("huge-storage.pth", "more bytes than 64 bits count");
    }

    private static PickleWriter stateDict(long[] size, long[] stride, long numel) {
        return new PickleWriter().raw('}').string("w").tensor("0", numel, 0, size, stride).raw('s');
    }

    private static void bombs(Path dir, Map<String, String> cases) throws IOException {
        byte[] zeros = deflatedZeros(300L << 20);
        Files.write(dir.resolve("bomb.pth"), rezip(zeros, 300L << 20));
        cases.put("bomb.pth", "declares 314572800 bytes, more than the limit of 67108864");
        Files.write(dir.resolve("lying-bomb.pth"), rezip(zeros, 100));
        cases.put("lying-bomb.pth", "inflates to more than 67108864 bytes");
    }

    /** {@code n} zero bytes, deflated (about 1,000 to 1). */
    private static byte[] deflatedZeros(long n) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(out, new Deflater(Deflater.BEST_COMPRESSION, true))) {
            byte[] block = new byte[1 << 20];
            for (long done = 0; done < n; done += block.length) {
                z.write(block, 0, (int) Math.min(block.length, n - done));
            }
        }
        return out.toByteArray();
    }

    /** A one-entry zip, {@code archive/data.pkl}, of raw deflate data, declaring {@code size} bytes. */
    private static byte[] rezip(byte[] deflated, long size) {
        byte[] name = "archive/data.pkl".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(deflated.length + 2 * name.length + 200).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x04034b50).putShort((short) 20).putShort((short) 0).putShort((short) 8).putInt(0).putInt(0)
                .putInt(deflated.length).putInt((int) size).putShort((short) name.length).putShort((short) 0)
                .put(name).put(deflated);
        int central = b.position();
        b.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0).putShort((short) 8)
                .putInt(0).putInt(0).putInt(deflated.length).putInt((int) size).putShort((short) name.length)
                .putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt(0)
                .put(name);
        int centralSize = b.position() - central;
        b.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) 1).putShort((short) 1)
                .putInt(centralSize).putInt(central).putShort((short) 0);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    private static byte[] safetensors(String json) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + header.length + 4).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length)
                .put(header).array();
    }
}
