package dev.usp.core.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderDatasetTest {

    private static Image rgb(int seed) {
        byte[] px = new byte[5 * 4 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 31 + seed * 7);
        }
        return new Image(5, 4, 3, px);
    }

    private static void png(Path file, Image img) throws IOException {
        Files.createDirectories(file.getParent());
        ImageIO.write(img.toBufferedImage(), "png", file.toFile());
    }

    /** root/cat/{a.png, b.png, broken.png (not an image), notes.txt}, root/ant/{x.PNG (grey)}. */
    private static Path tree(Path root) throws IOException {
        png(root.resolve("cat/b.png"), rgb(2));
        png(root.resolve("cat/a.png"), rgb(1));
        Files.write(root.resolve("cat/broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Files.writeString(root.resolve("cat/notes.txt"), "not an image");
        byte[] grey = new byte[6];
        for (int i = 0; i < 6; i++) {
            grey[i] = (byte) (40 * i);
        }
        png(root.resolve("ant/x.PNG"), new Image(3, 2, 1, grey));
        return root;
    }

    @Test
    void classesAreSortedFoldersAndPixelsRoundTrip(@TempDir Path dir) throws IOException {
        ImageFolderDataset data = ImageFolderDataset.scan(tree(dir), ImageFolderDataset.BadImagePolicy.SKIP);
        assertEquals(List.of("ant", "cat"), data.classes());
        assertEquals(4, data.size());
        assertEquals(List.of("x.PNG", "a.png", "b.png", "broken.png"),
                List.of(0, 1, 2, 3).stream().map(i -> data.file(i).getFileName().toString()).toList());
        assertArrayEquals(new int[] {0, 1, 1, 1}, new int[] {data.label(0), data.label(1), data.label(2), data.label(3)});
        Sample a = data.get(1);
        assertEquals(1, a.label());
        assertArrayEquals(rgb(1).pixels(), a.image().pixels());
        Image grey = data.get(0).image();
        assertEquals(3, grey.channels());
        assertEquals(200, grey.get(2, 1, 0));
        assertEquals(200, grey.get(2, 1, 2));
    }

    @Test
    void corruptFileIsSkippedAndCounted(@TempDir Path dir) throws IOException {
        ImageFolderDataset data = ImageFolderDataset.scan(tree(dir), ImageFolderDataset.BadImagePolicy.SKIP);
        List<Integer> read = new java.util.ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            Sample sample = data.get(i);
            if (sample != null) {
                read.add(i);
            }
        }
        assertEquals(List.of(0, 1, 2), read);
        assertNull(data.get(3));
        assertEquals(List.of(dir.resolve("cat/broken.png")), data.skipped());
        assertTrue(data.summary().contains("4 images, 2 classes, 1 skipped as unreadable"), data.summary());
    }

    @Test
    void failPolicyNamesTheFile(@TempDir Path dir) throws IOException {
        ImageFolderDataset data = ImageFolderDataset.scan(tree(dir), ImageFolderDataset.BadImagePolicy.FAIL);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> data.get(3));
        assertTrue(e.getMessage().contains(dir.resolve("cat/broken.png").toString()), e.getMessage());
    }

    @Test
    void emptyDatasetIsAnError(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("empty_class"));
        Files.writeString(dir.resolve("empty_class/readme.txt"), "x");
        IOException e = assertThrows(IOException.class,
                () -> ImageFolderDataset.scan(dir, ImageFolderDataset.BadImagePolicy.SKIP));
        assertTrue(e.getMessage().contains(dir + " is empty"), e.getMessage());
        IOException missing = assertThrows(IOException.class,
                () -> ImageFolderDataset.scan(dir.resolve("nope"), ImageFolderDataset.BadImagePolicy.SKIP));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }
}
