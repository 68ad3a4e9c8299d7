package dev.usp.eval.evaluate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opens a set of images given as a folder of PNG/JPEG files or an {@code .npz} file. */
public final class ImageSources {

    private ImageSources() {
    }

    /**
     * A folder of image files, or the uint8 array {@code key} of an {@code .npz} file.
     *
     * @throws IOException naming the path when it is missing, not a folder or .npz, or holds no images
     */
    public static ImageSource open(Path path, String key) throws IOException {
        if (Files.isDirectory(path)) {
            return FolderImages.open(path);
        }
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such file or folder");
        }
        if (!path.getFileName().toString().endsWith(".npz")) {
            throw new IOException(path + ": expected a folder of images or an .npz file");
        }
        return NpzImages.open(path, key);
    }
}
