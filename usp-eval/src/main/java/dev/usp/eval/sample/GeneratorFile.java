package dev.usp.eval.sample;

import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.SafeTensorsHeader;
import dev.usp.core.weights.StateDict;
import dev.usp.core.weights.TorchCheckpoint;
import dev.usp.core.weights.WeightFiles;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A generator weight file opened once (a safetensors header, or a torch.save pickle parsed once):
 * its top-level keys, which weights entry to load, the run config it records, and the tensors of
 * one entry. Entry "" is the whole file (a bare state dict).
 */
final class GeneratorFile implements AutoCloseable {

    /** The entries tried, in order, when none is named: the EMA weights, then the raw model. */
    static final List<String> PREFERRED = List.of("ema", "model");

    private final Path file;
    private final SafeTensorsHeader header;
    private final TorchCheckpoint torch;

    private GeneratorFile(Path file, SafeTensorsHeader header, TorchCheckpoint torch) {
        this.file = file;
        this.header = header;
        this.torch = torch;
    }

    /**
     * Reads the safetensors header or the torch.save object tree (no tensor data).
     *
     * @throws IOException naming the file when it is neither format, or is damaged
     */
    static GeneratorFile open(Path file) throws IOException {
        WeightFiles.Format format = WeightFiles.detect(file);
        if (format == WeightFiles.Format.SAFETENSORS) {
            return new GeneratorFile(file, SafeTensors.readHeader(file), null);
        }
        if (format == WeightFiles.Format.UNKNOWN) {
            throw new IOException(file + ": unknown weight format: neither safetensors nor a torch.save zip "
                    + "(.pt/.pth/.ckpt/.bin)");
        }
        return new GeneratorFile(file, null, TorchCheckpoint.open(file));
    }

    /** The top-level keys: the first component of the tensor names (safetensors) or of the pickled dict. */
    List<String> keys() {
        if (torch != null) {
            return torch.keys();
        }
        Set<String> keys = new LinkedHashSet<>();
        for (String name : header.tensors().keySet()) {
            int dot = name.indexOf('.');
            keys.add(dot < 0 ? name : name.substring(0, dot));
        }
        return new ArrayList<>(keys);
    }

    /** True when {@code entry} holds a state dict ("" : the whole file is one). */
    boolean holds(String entry) {
        if (torch == null) {
            return entry.isEmpty() || keys().contains(entry);
        }
        if (entry.isEmpty()) {
            return torch.isStateDict();
        }
        return torch.root() instanceof Map<?, ?> root && root.get(entry) instanceof Map<?, ?>;
    }

    /**
     * The entry to load when none is named: the first of {@link #PREFERRED} present, else the whole
     * file when it is a state dict.
     *
     * @throws IllegalArgumentException naming the file, every candidate and the keys present when none fits
     */
    String chooseEntry() {
        for (String entry : PREFERRED) {
            if (holds(entry)) {
                return entry;
            }
        }
        if (holds("")) {
            return "";
        }
        throw new IllegalArgumentException(file + " holds no generator weights: tried " + describeCandidates()
                + "; keys present: " + keys() + " (name the entry with --key)");
    }

    /** The candidates as an error lists them: {@code 'ema' (absent), 'model' (present), the whole file (...)}. */
    String describeCandidates() {
        List<String> parts = new ArrayList<>();
        for (String entry : PREFERRED) {
            String state = holds(entry) ? "present" : keys().contains(entry) ? "not a state dict" : "absent";
            parts.add("'" + entry + "' (" + state + ")");
        }
        parts.add("the whole file (" + (holds("") ? "a state dict" : "not a state dict") + ")");
        return String.join(", ", parts);
    }

    /**
     * Reads the tensors of {@code entry} ("" for the whole file) into a state dict owned by a
     * sub-manager of {@code manager}.
     *
     * @throws IllegalArgumentException naming the file and the keys present when the entry is absent
     */
    StateDict read(String entry, NDManager manager) throws IOException {
        String key = entry.isEmpty() ? null : entry;
        return torch != null ? torch.stateDict(key, manager) : WeightFiles.readStateDict(file, key, manager);
    }

    /** The run config of one of this project's checkpoints ({@code config} metadata), or null. */
    @SuppressWarnings("unchecked")
    Map<String, Object> recordedConfig() {
        String text = header == null ? null : header.metadata().get("config");
        if (text == null || text.isBlank()) {
            return null;
        }
        Object parsed;
        try {
            // safe constructor: metadata of a downloaded file must not name Java classes to build
            parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(file + ": the 'config' metadata is not valid YAML: " + e.getMessage(), e);
        }
        return parsed instanceof Map ? (Map<String, Object>) parsed : null;
    }

    /** The file. */
    Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        if (torch != null) {
            torch.close();
        }
    }
}
