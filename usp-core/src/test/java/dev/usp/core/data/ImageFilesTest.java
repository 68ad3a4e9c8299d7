package dev.usp.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Image files are refused from their header when too large, and every broken file is named. */
class ImageFilesTest {

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
        }
    }

    private static byte[] png(int width, int height) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY), "png", out);
        return out.toByteArray();
    }

    /** A real PNG whose IHDR chunk (with a valid CRC) claims another size. */
    private static byte[] claimingSize(byte[] png, int width, int height) {
        byte[] b = png.clone();
        ByteBuffer buf = ByteBuffer.wrap(b);
        // 8-byte signature, then IHDR: length (4), type (4), width (4), height (4), 5 more bytes, CRC (4)
        assertEquals("IHDR", new String(b, 12, 4, StandardCharsets.US_ASCII));
        buf.putInt(16, width);
        buf.putInt(20, height);
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17);
        buf.putInt(29, (int) crc.getValue());
        return b;
    }

    @Test
    void readsAnImageUnderTheLimit(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("small.png");
        Files.write(f, png(8, 6));
        BufferedImage img = ImageFiles.read(f);
        assertEquals(8, img.getWidth());
        assertEquals(6, img.getHeight());
        assertEquals(8 * 6, Image.read(f).pixels().length);
    }

    @Test
    void aHeaderClaimingTooManyPixelsIsRefusedBeforeDecoding(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bomb.png");
        Files.write(f, claimingSize(png(8, 8), 20000, 20000));
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> ImageFiles.read(f));
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "refusal took " + (System.nanoTime() - start) / 1e6 + " ms");
        assertMentions(e, f.toString(), "20000 x 20000 = 400,000,000 pixels", "over the limit of 67,108,864",
                "-Dusp.limits.imagePixels=400000000");
        assertMentions(assertThrows(IOException.class, () -> Image.read(f)), "over the limit");
        assertMentions(assertThrows(IOException.class, () -> ImageFiles.read(dir.resolve("bomb.png"), 63)),
                "over the limit of 63");
    }

    @Test
    void theLimitComesFromTheJvmProperty() {
        String before = System.getProperty(ImageFiles.MAX_PIXELS_PROPERTY);
        try {
            System.clearProperty(ImageFiles.MAX_PIXELS_PROPERTY);
            assertEquals(1L << 26, ImageFiles.maxPixels());
            System.setProperty(ImageFiles.MAX_PIXELS_PROPERTY, "500000000");
            assertEquals(500_000_000L, ImageFiles.maxPixels());
            System.setProperty(ImageFiles.MAX_PIXELS_PROPERTY, "lots");
            assertMentions(assertThrows(IllegalArgumentException.class, ImageFiles::maxPixels),
                    "usp.limits.imagePixels='lots'", "positive pixel count");
        } finally {
            if (before == null) {
                System.clearProperty(ImageFiles.MAX_PIXELS_PROPERTY);
            } else {
                System.setProperty(ImageFiles.MAX_PIXELS_PROPERTY, before);
            }
        }
    }

    @Test
    void missingNonImageAndCorruptFilesAreNamed(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.png");
        assertMentions(assertThrows(IOException.class, () -> ImageFiles.read(missing)), "cannot open image file", missing.toString());

        Path text = dir.resolve("notes.png");
        Files.writeString(text, "not an image at all");
        assertMentions(assertThrows(IOException.class, () -> ImageFiles.read(text)), "not an image file", text.toString());

        byte[] whole = png(16, 16);
        Path truncated = dir.resolve("truncated.png");
        Files.write(truncated, Arrays.copyOf(whole, 40));
        assertMentions(assertThrows(IOException.class, () -> ImageFiles.read(truncated)), "cannot decode image file",
                truncated.toString());

        Path empty = dir.resolve("empty.jpg");
        Files.write(empty, new byte[0]);
        assertMentions(assertThrows(IOException.class, () -> ImageFiles.read(empty)), empty.toString());
    }
}
