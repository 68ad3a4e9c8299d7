package dev.usp.core.weights;

import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** Reads a state dict from a weight file of either format, recognised by its first bytes. */
public final class WeightFiles {

    /** The weight-file formats told apart by their first bytes. */
    public enum Format {
        /** safetensors: 8-byte little-endian header length, then a JSON object. */
        SAFETENSORS,
        /** torch.save of PyTorch >= 1.6: a zip archive. */
        TORCH_ZIP,
        /** torch.save of PyTorch < 1.6 (a bare pickle or a tar), which we do not read. */
        TORCH_LEGACY,
        /** Anything else. */
        UNKNOWN
    }

    private WeightFiles() {
    }

    /** Recognises the format from the file's first bytes (never from its extension). */
    public static Format detect(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(512);
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 || head[2] == 5)
                && head[3] == head[2] + 1) {
            return Format.TORCH_ZIP;
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            return Format.TORCH_LEGACY;
        }
        if (head.length >= 262 && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar")) {
            return Format.TORCH_LEGACY;
        }
        if (head.length >= 9 && head[8] == '{') {
            // A JSON object after 8 bytes: safetensors, even with a wrong length, which the reader then names.
            return Format.SAFETENSORS;
        }
        return Format.UNKNOWN;
    }

    /**
     * Reads a state dict from a safetensors file or a torch.save checkpoint ({@code .pt},
     * {@code .pth}, {@code .ckpt}, {@code .bin}), whatever its extension. For a checkpoint,
     * {@code keyOrNull} selects the top-level entry ({@code "model"}, {@code "ema"}...; null for a
     * checkpoint that is itself a state dict). For safetensors, a non-null key selects the
     * tensors named {@code key.*} and strips that prefix. The returned dict owns its arrays.
     *
     * @throws IOException naming the file when the format is unknown or the file is damaged
     * @throws IllegalArgumentException naming the file and the available keys when the key is absent
     */
    public static StateDict readStateDict(Path file, String keyOrNull, NDManager manager) throws IOException {
        Format format = detect(file);
        switch (format) {
            case SAFETENSORS:
                return readSafeTensors(file, keyOrNull, manager);
            case TORCH_ZIP:
            case TORCH_LEGACY:
                return TorchCheckpoint.selectStateDict(file, keyOrNull, manager);
            default:
                throw new IOException(file + ": unknown weight format: neither safetensors nor a torch.save zip "
                        + "(.pt/.pth/.ckpt/.bin)");
        }
    }

    private static StateDict readSafeTensors(Path file, String key, NDManager manager) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            SafeTensorsHeader header = SafeTensorsHeader.read(ch, file);
            Map<String, String> renames = new LinkedHashMap<>();
            Set<String> prefixes = new LinkedHashSet<>();
            for (String name : header.tensors().keySet()) {
                if (key == null) {
                    renames.put(name, name);
                } else if (name.startsWith(key + ".")) {
                    renames.put(name, name.substring(key.length() + 1));
                }
                prefixes.add(name.contains(".") ? name.substring(0, name.indexOf('.')) : name);
            }
            if (renames.isEmpty() && key != null) {
                throw new IllegalArgumentException(file + ": no tensors under key '" + key + "' (top-level names: "
                        + SafeTensorsHeader.preview(prefixes) + ")");
            }
            return SafeTensors.read(ch, header, renames, manager);
        }
    }
}
