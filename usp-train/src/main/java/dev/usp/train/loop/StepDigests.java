package dev.usp.train.loop;

import ai.djl.ndarray.NDArray;
import dev.usp.core.weights.StateDict;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One line per step, {@code <step> <sha256>}, over every array of the training state (part and
 * tensor names, shapes, types and bytes, in name order): two runs are bit-identical exactly when
 * their files are. Enabled by {@link TrainingLoop#DIGESTS_PROPERTY}; otherwise it does nothing.
 */
final class StepDigests {

    private static final StepDigests OFF = new StepDigests(null);

    private final Path file;

    private StepDigests(Path file) {
        this.file = file;
    }

    /** Digests to the file the property names, or none when it is unset. */
    static StepDigests fromSystemProperty(String property) {
        String value = System.getProperty(property);
        return value == null || value.isBlank() ? OFF : new StepDigests(Path.of(value));
    }

    /** Appends the digest of {@code state} after {@code done} steps. */
    void append(long done, TrainState state) throws IOException {
        if (file == null) {
            return;
        }
        Map<String, StateDict> parts = state.stateDicts();
        try {
            String line = done + " " + HexFormat.of().formatHex(digest(parts)) + "\n";
            Files.writeString(file, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } finally {
            parts.values().forEach(StateDict::close);
        }
    }

    /** SHA-256 over the parts in name order, each tensor's name, shape, type and bytes. */
    static byte[] digest(Map<String, StateDict> parts) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
        for (Map.Entry<String, StateDict> part : new TreeMap<>(parts).entrySet()) {
            List<String> names = new ArrayList<>(part.getValue().keys());
            names.sort(null);
            for (String name : names) {
                NDArray a = part.getValue().get(name);
                sha.update((part.getKey() + "." + name + a.getShape() + a.getDataType()).getBytes(StandardCharsets.UTF_8));
                sha.update(a.toByteArray());
            }
        }
        return sha.digest();
    }
}
