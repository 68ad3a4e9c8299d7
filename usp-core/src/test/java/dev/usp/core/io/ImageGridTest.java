package dev.usp.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageGridTest {

    @TempDir
    Path dir;

    @Test
    void imageGridLaysOutAndQuantisesLikeTorchvision() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            // 5 RGB images 3x4: image i has red = -1 + i/2, green = +1, blue = -1, one pixel 0.
            float[] data = new float[5 * 3 * 3 * 4];
            for (int i = 0; i < 5; i++) {
                for (int p = 0; p < 12; p++) {
                    data[i * 36 + p] = -1 + i / 2f;
                    data[i * 36 + 12 + p] = 1;
                    data[i * 36 + 24 + p] = p == 5 ? 0 : -1;
                }
            }
            NDArray images = m.create(data, new Shape(5, 3, 3, 4));
            Path png = dir.resolve("grid.png");
            ImageGrid.write(images, 2, png);
            BufferedImage img = ImageIO.read(png.toFile());
            // 2 columns, 3 rows, 2-pixel padding: 2*(4+2)+2 by 3*(3+2)+2
            assertEquals(14, img.getWidth());
            assertEquals(17, img.getHeight());
            assertEquals(0x000000, img.getRGB(0, 0) & 0xffffff, "padding is black");
            // image 3 (row 1, column 1) starts at (2 + 6, 2 + 5); red = 0.5 -> floor(0.75*255+0.5) = 191
            assertEquals((191 << 16) | (255 << 8), img.getRGB(8, 7) & 0xffffff);
            // pixel 5 = (row 1, column 1) of image 0 has blue 0 -> 128
            assertEquals(128, img.getRGB(2 + 1, 2 + 1) & 0xff);
            // the unused sixth cell stays padding
            assertTrue(Arrays.stream(img.getRGB(8, 12, 4, 3, null, 0, 4)).allMatch(rgb -> (rgb & 0xffffff) == 0));
            assertThrows(IllegalArgumentException.class, () -> ImageGrid.render(m.zeros(new Shape(2, 2, 3, 3)), 2));
        }
        assertEquals(0, ImageGrid.toByte(-7f));
        assertEquals(255, ImageGrid.toByte(1f));
        assertEquals(128, ImageGrid.toByte(0f));
    }
}
