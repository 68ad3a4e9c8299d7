package dev.usp.train.tensorboard;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleSupplier;
import java.util.zip.CRC32C;

/**
 * One TensorBoard event file, {@code events.out.tfevents.<secs>.<host>} in a run folder: a
 * {@code file_version} event, then scalar, image and session-start events, each a TFRecord
 * handed to the OS as soon as it is written. A process crash loses nothing written; a torn last
 * record (a machine crash mid-write) fails its CRC and readers stop before it.
 */
public final class EventFile implements AutoCloseable {

    /** The prefix TensorBoard looks for in a run folder. */
    public static final String PREFIX = "events.out.tfevents.";
    /** The {@code file_version} of the first event: the version whose session-start events purge. */
    public static final String FILE_VERSION = "brain.Event:2";

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final int MASK_DELTA = 0xa282ead8;

    private final Path file;
    private final FileChannel channel;
    private final DoubleSupplier clock;

    private EventFile(Path file, FileChannel channel, DoubleSupplier clock) {
        this.file = file;
        this.channel = channel;
        this.clock = clock;
    }

    /** Creates a new event file in {@code dir}, named after the current time and this host, and writes its version event. */
    public static EventFile create(Path dir) throws IOException {
        return create(dir, hostName(), () -> System.currentTimeMillis() / 1000.0);
    }

    /**
     * Creates a new event file in {@code dir} ({@code .1}, {@code .2}, ... appended when the
     * name is taken) with the wall times of {@code clock} (seconds since the epoch).
     */
    public static EventFile create(Path dir, String host, DoubleSupplier clock) throws IOException {
        Files.createDirectories(dir);
        double now = clock.getAsDouble();
        String base = PREFIX + String.format(Locale.ROOT, "%010d", (long) now) + "." + host;
        for (int i = 0; ; i++) {
            Path f = dir.resolve(i == 0 ? base : base + "." + i);
            try {
                FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                EventFile ef = new EventFile(f, ch, clock);
                ef.write(new Proto().fixed64(1, now).string(3, FILE_VERSION));
                return ef;
            } catch (FileAlreadyExistsException e) {
                // an event file of the same second and host: take the next suffix
            }
        }
    }

    /** Appends a scalar ({@code Summary.Value.simple_value}, a float as TensorBoard stores it). */
    public void scalar(String tag, long step, float value) throws IOException {
        summary(step, new Proto().string(1, tag).fixed32(2, value));
    }

    /**
     * Appends a PNG as an image summary; height, width and colorspace (channels) come from its
     * header.
     *
     * @throws IllegalArgumentException when {@code png} is not a PNG
     */
    public void image(String tag, long step, byte[] png) throws IOException {
        if (png.length < 26 || !Arrays.equals(Arrays.copyOf(png, 8), PNG_SIGNATURE)
                || !new String(png, 12, 4, StandardCharsets.US_ASCII).equals("IHDR")) {
            throw new IllegalArgumentException("image " + tag + " at step " + step + " is not a PNG");
        }
        ByteBuffer header = ByteBuffer.wrap(png).order(ByteOrder.BIG_ENDIAN);
        int width = header.getInt(16);
        int height = header.getInt(20);
        int channels = switch (png[25]) {
            case 0 -> 1;        // grey
            case 4 -> 2;        // grey and alpha
            case 6 -> 4;        // RGBA
            default -> 3;       // RGB, palette
        };
        Proto image = new Proto().varint(1, height).varint(2, width).varint(3, channels).bytes(4, png);
        summary(step, new Proto().string(1, tag).message(4, image));
    }

    /**
     * Appends a {@code SessionLog} START at {@code step}: TensorBoard then drops the events of
     * earlier files at this step or later, the orphans a run wrote after its last checkpoint
     * before it died.
     */
    public void sessionStart(long step) throws IOException {
        write(new Proto().fixed64(1, clock.getAsDouble()).varint(2, step).message(7, new Proto().varint(1, 1)));
    }

    /** Forces the written records to the disk. */
    public void sync() throws IOException {
        channel.force(false);
    }

    /** The file. */
    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private void summary(long step, Proto value) throws IOException {
        write(new Proto().fixed64(1, clock.getAsDouble()).varint(2, step).message(5, new Proto().message(1, value)));
    }

    /** One TFRecord: length (uint64 LE), masked CRC32C of the length, the data, masked CRC32C of the data. */
    private void write(Proto event) throws IOException {
        byte[] data = event.toByteArray();
        ByteBuffer record = ByteBuffer.allocate(data.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        record.putLong(data.length);
        record.putInt(maskedCrc(record.array(), 0, 8));
        record.put(data);
        record.putInt(maskedCrc(data, 0, data.length));
        record.flip();
        while (record.hasRemaining()) {
            channel.write(record);
        }
    }

    /** TFRecord's masked CRC32C: rotate right by 15 bits and add a constant. */
    static int maskedCrc(byte[] b, int off, int len) {
        CRC32C crc = new CRC32C();
        crc.update(b, off, len);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
