package dev.usp.train.tensorboard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * A reader of TensorBoard event files written for the tests apart from {@link EventFile}: it
 * checks the TFRecord framing and both CRCs of every record and decodes the protobuf fields by
 * their wire types, failing on anything it does not expect.
 */
public final class EventReader {

    /**
     * One event: {@code kind} is "version", "scalar", "image" or "start"; {@code value} the scalar,
     * {@code width}/{@code height}/{@code channels}/{@code png} the image.
     */
    public record Event(String kind, double wallTime, long step, String tag, float value, String fileVersion,
                        int height, int width, int channels, byte[] png) {
        @Override
        public String toString() {
            return kind + "(" + tag + ", step " + step + ", " + (kind.equals("image") ? width + "x" + height : value) + ")";
        }
    }

    private EventReader() {
    }

    /** The event files of a folder in name order (the order TensorBoard reads them in). */
    public static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).sorted().toList();
        }
    }

    /** Every event of every file of {@code dir}, in file and record order. */
    public static List<Event> readDir(Path dir) throws IOException {
        List<Event> all = new ArrayList<>();
        for (Path f : files(dir)) {
            all.addAll(read(f));
        }
        return all;
    }

    /** The events of one file. */
    public static List<Event> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> events = new ArrayList<>();
        while (b.hasRemaining()) {
            byte[] lengthBytes = new byte[8];
            b.get(lengthBytes);
            long length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            check(b.getInt() == masked(lengthBytes), file, "length CRC");
            byte[] data = new byte[Math.toIntExact(length)];
            b.get(data);
            check(b.getInt() == masked(data), file, "data CRC");
            events.add(event(data));
        }
        return events;
    }

    /** Masked CRC32C as TFRecord defines it, written out here apart from the writer's. */
    static int masked(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        long c = crc.getValue();
        long rotated = ((c >> 15) | (c << 17)) & 0xFFFFFFFFL;
        return (int) ((rotated + 0xa282ead8L) & 0xFFFFFFFFL);
    }

    private static Event event(byte[] data) {
        Fields f = new Fields(data);
        double wall = 0;
        long step = 0;
        String version = null;
        byte[] summary = null;
        byte[] sessionLog = null;
        while (f.more()) {
            int key = (int) f.varint();
            switch (key) {
                case (1 << 3) | 1 -> wall = Double.longBitsToDouble(f.fixed64());
                case (2 << 3) -> step = f.varint();
                case (3 << 3) | 2 -> version = new String(f.bytes(), StandardCharsets.UTF_8);
                case (5 << 3) | 2 -> summary = f.bytes();
                case (7 << 3) | 2 -> sessionLog = f.bytes();
                default -> throw new AssertionError("unexpected Event field key " + key);
            }
        }
        if (version != null) {
            return new Event("version", wall, step, null, 0, version, 0, 0, 0, null);
        }
        if (sessionLog != null) {
            Fields s = new Fields(sessionLog);
            check(s.varint() == (1 << 3) && s.varint() == 1 && !s.more(), null, "SessionLog{status: START}");
            return new Event("start", wall, step, null, 0, null, 0, 0, 0, null);
        }
        Fields s = new Fields(summary);
        check(s.varint() == ((1 << 3) | 2), null, "Summary.value");
        Fields v = new Fields(s.bytes());
        check(!s.more(), null, "one value per summary");
        check(v.varint() == ((1 << 3) | 2), null, "Value.tag");
        String tag = new String(v.bytes(), StandardCharsets.UTF_8);
        if (!v.more()) {
            return new Event("scalar", wall, step, tag, 0f, null, 0, 0, 0, null);   // proto3 leaves out a 0.0
        }
        int key = (int) v.varint();
        if (key == ((2 << 3) | 5)) {
            float value = Float.intBitsToFloat(v.fixed32());
            check(!v.more(), null, "end of scalar value");
            return new Event("scalar", wall, step, tag, value, null, 0, 0, 0, null);
        }
        check(key == ((4 << 3) | 2), null, "Value.image");
        Fields im = new Fields(v.bytes());
        check(!v.more(), null, "end of image value");
        int[] hwc = new int[3];
        for (int i = 0; i < 3; i++) {
            check(im.varint() == ((long) (i + 1) << 3), null, "Image field " + (i + 1));
            hwc[i] = (int) im.varint();
        }
        check(im.varint() == ((4 << 3) | 2), null, "Image.encoded_image_string");
        byte[] png = im.bytes();
        check(!im.more(), null, "end of image");
        return new Event("image", wall, step, tag, 0, null, hwc[0], hwc[1], hwc[2], png);
    }

    private static void check(boolean ok, Path file, String what) {
        if (!ok) {
            throw new AssertionError("bad " + what + (file == null ? "" : " in " + file));
        }
    }

    /** A cursor over protobuf wire data. */
    private static final class Fields {
        private final byte[] d;
        private int pos;

        Fields(byte[] d) {
            this.d = d;
        }

        boolean more() {
            return pos < d.length;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                int b = d[pos++] & 0xFF;
                v |= (long) (b & 0x7F) << shift;
                if (b < 0x80) {
                    return v;
                }
            }
        }

        long fixed64() {
            long v = ByteBuffer.wrap(d, pos, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            pos += 8;
            return v;
        }

        int fixed32() {
            int v = ByteBuffer.wrap(d, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            pos += 4;
            return v;
        }

        byte[] bytes() {
            int n = (int) varint();
            byte[] out = Arrays.copyOfRange(d, pos, pos + n);
            pos += n;
            return out;
        }
    }
}
