package dev.usp.core.data;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Images in one sub-folder per class ({@code root/<class>/**.JPEG}, ImageNet's train/ layout), as
 * torchvision's {@code ImageFolder}: classes are the sorted folder names, indexed from 0; files are
 * listed folder by folder in sorted order. Images are decoded with ImageIO on {@link #get} and
 * converted to RGB.
 */
public final class ImageFolderDataset implements Dataset {

    /** What {@link #get} does with a file ImageIO cannot decode. */
    public enum BadImagePolicy {
        /** Log a warning, count the file, and return null (the loader drops the sample). */
        SKIP,
        /** Throw an error naming the file. */
        FAIL
    }

    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderDataset.class);
    private static final ToChannels RGB = new ToChannels(3);
    private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "tif", "tiff");

    private final Path root;
    private final List<String> classes;
    private final List<Path> files;
    private final int[] labels;
    private final BadImagePolicy policy;
    private final Set<Path> skipped = new ConcurrentSkipListSet<>();

    private ImageFolderDataset(Path root, List<String> classes, List<Path> files, int[] labels, BadImagePolicy policy) {
        this.root = root;
        this.classes = classes;
        this.files = files;
        this.labels = labels;
        this.policy = policy;
    }

    /**
     * Lists the images under {@code root}.
     *
     * @throws IOException when {@code root} is not a folder or holds no class folder with an image
     */
    public static ImageFolderDataset scan(Path root, BadImagePolicy policy) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("image folder " + root + " does not exist or is not a folder");
        }
        List<Path> classDirs;
        try (Stream<Path> s = Files.list(root)) {
            classDirs = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).collect(Collectors.toList());
        }
        List<String> classes = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (Path dir : classDirs) {
            List<Path> images = listImages(dir);
            if (images.isEmpty()) {
                LOG.warn("class folder {} holds no image ({}); its class index is kept", dir, EXTENSIONS);
            }
            for (Path f : images) {
                files.add(f);
                labels.add(classes.size());
            }
            classes.add(dir.getFileName().toString());
        }
        if (files.isEmpty()) {
            throw new IOException("image folder " + root + " is empty: expected class sub-folders (" + classes.size()
                    + " found) holding images with extensions " + new TreeSet<>(EXTENSIONS));
        }
        LOG.info("image folder {}: {} images in {} classes", root, files.size(), classes.size());
        return new ImageFolderDataset(root, List.copyOf(classes), List.copyOf(files),
                labels.stream().mapToInt(Integer::intValue).toArray(), policy);
    }

    /** Image files under a class folder, grouped by folder (sorted) and sorted by name, as os.walk + sorted. */
    private static List<Path> listImages(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(Files::isRegularFile).filter(ImageFolderDataset::isImage)
                    .sorted(Comparator.comparing((Path p) -> p.getParent().toString())
                            .thenComparing(p -> p.getFileName().toString()))
                    .collect(Collectors.toList());
        }
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public Sample get(int index) {
        Path f = files.get(index);
        try {
            return new Sample(RGB.apply(Image.read(f), null), labels[index]);
        } catch (IOException | RuntimeException e) {
            if (policy == BadImagePolicy.FAIL) {
                throw new UncheckedIOException(new IOException("unreadable image " + f + ": " + e.getMessage()
                        + " (bad-image policy is fail; use skip to leave such files out)", e));
            }
            if (skipped.add(f)) {
                LOG.warn("skipping unreadable image {}: {}", f, e.getMessage());
            }
            return null;
        }
    }

    /** The class folder names; a label is an index into this list. */
    public List<String> classes() {
        return classes;
    }

    /** The file of sample {@code index}. */
    public Path file(int index) {
        return files.get(index);
    }

    /** The label of sample {@code index}, without decoding it. */
    public int label(int index) {
        return labels[index];
    }

    /** The files skipped so far as unreadable, sorted. */
    public List<Path> skipped() {
        return List.copyOf(skipped);
    }

    /** One line for the logs: images, classes, and how many were skipped as unreadable. */
    public String summary() {
        return "image folder " + root + ": " + files.size() + " images, " + classes.size() + " classes, "
                + skipped.size() + " skipped as unreadable" + (skipped.isEmpty() ? "" : " (first: " + skipped.iterator().next() + ")");
    }
}
