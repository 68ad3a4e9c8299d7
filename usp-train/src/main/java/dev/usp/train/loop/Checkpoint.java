package dev.usp.train.loop;

import dev.usp.core.engine.Seeds;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Everything needed to continue a run: named state dicts ({@code model}, {@code ema},
 * {@code optimizer}, ...), the step and epoch reached, the run seed (all randomness of step
 * {@code s} derives from (seed, s), see {@link Seeds}), extra scalars, and the resolved config.
 *
 * <p>On disk it is ONE safetensors file: the tensors of part {@code p} are stored as
 * {@code p.<key>}, and the rest is the file's string metadata: {@code format}, {@code step},
 * {@code epoch}, {@code seed}, {@code config} as text, and {@code parts}, {@code scalars},
 * {@code rng}, {@code engine} as JSON. The file is written to a temporary name and renamed, so it is either absent or
 * complete.
 */
public final class Checkpoint implements AutoCloseable {

    /** The value of the {@code format} metadata key. */
    public static final String FORMAT = "usp-checkpoint/1";

    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private final long step;
    private final long epoch;
    private final long seed;
    private final String config;
    private final Map<String, StateDict> parts;
    private final Map<String, Double> scalars;
    private final Map<String, String> engine;
    private final StateDict owner;

    /**
     * A checkpoint to save. The state dicts may be views of live modules; nothing is copied
     * until {@link #write(Path)}.
     *
     * @param step optimiser steps completed
     * @param epoch the epoch the run is in
     * @param seed the run seed
     * @param config the resolved config text (YAML or JSON), or "" when there is none
     * @param parts state dicts by part name; a name must be non-empty and contain no '.'
     * @param scalars extra numbers to keep (e.g. an optimiser's step count, the best metric)
     */
    public Checkpoint(long step, long epoch, long seed, String config,
                      Map<String, StateDict> parts, Map<String, Double> scalars) {
        this(step, epoch, seed, config, parts, scalars, engineInfo(), null);
    }

    private Checkpoint(long step, long epoch, long seed, String config, Map<String, StateDict> parts,
                       Map<String, Double> scalars, Map<String, String> engine, StateDict owner) {
        for (String name : parts.keySet()) {
            if (name.isEmpty() || name.contains(".")) {
                throw new IllegalArgumentException("checkpoint part name '" + name + "' must be non-empty without '.'");
            }
        }
        this.step = step;
        this.epoch = epoch;
        this.seed = seed;
        this.config = config == null ? "" : config;
        this.parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
        this.scalars = Collections.unmodifiableMap(new LinkedHashMap<>(scalars));
        this.engine = Collections.unmodifiableMap(new LinkedHashMap<>(engine));
        this.owner = owner;
    }

    /** Optimiser steps completed when this was saved. */
    public long step() {
        return step;
    }

    /** The epoch the run was in. */
    public long epoch() {
        return epoch;
    }

    /** The run seed. */
    public long seed() {
        return seed;
    }

    /** The resolved config text the run was started with. */
    public String config() {
        return config;
    }

    /** The part names, in saved order. */
    public Set<String> partNames() {
        return parts.keySet();
    }

    /** True when a part of that name is present. */
    public boolean hasPart(String name) {
        return parts.containsKey(name);
    }

    /**
     * The state dict of one part.
     *
     * @throws IllegalArgumentException naming the part and the ones present when it is absent
     */
    public StateDict part(String name) {
        StateDict sd = parts.get(name);
        if (sd == null) {
            throw new IllegalArgumentException("checkpoint at step " + step + " has no part '" + name
                    + "' (parts: " + parts.keySet() + ")");
        }
        return sd;
    }

    /** The extra scalars. */
    public Map<String, Double> scalars() {
        return scalars;
    }

    /**
     * One extra scalar.
     *
     * @throws IllegalArgumentException naming the key and the keys present when it is absent
     */
    public double scalar(String name) {
        Double v = scalars.get(name);
        if (v == null) {
            throw new IllegalArgumentException("checkpoint at step " + step + " has no scalar '" + name
                    + "' (scalars: " + scalars.keySet() + ")");
        }
        return v;
    }

    /** Engine name, version and device count of the process that wrote it (for the record). */
    public Map<String, String> engine() {
        return engine;
    }

    /** Writes this checkpoint as one safetensors file, atomically (temporary file, fsync, rename). */
    public void write(Path file) throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, StateDict> p : parts.entrySet()) {
            for (Map.Entry<String, NDArray> t : p.getValue().asMap().entrySet()) {
                tensors.put(p.getKey() + "." + t.getKey(), t.getValue());
            }
        }
        JsonObject rng = new JsonObject();
        // the scheme's name predates the move of the step seeds into dev.usp.core.engine.Seeds; kept so
        // that checkpoints stay byte-comparable across versions
        rng.addProperty("scheme", "dev.usp.train.loop.Seeds/splitmix64");
        rng.addProperty("seed", seed);
        rng.addProperty("next_step", step);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("step", Long.toString(step));
        meta.put("epoch", Long.toString(epoch));
        meta.put("seed", Long.toString(seed));
        meta.put("parts", GSON.toJson(parts.keySet()));
        meta.put("scalars", GSON.toJson(scalars));
        meta.put("rng", GSON.toJson(rng));
        meta.put("engine", GSON.toJson(engine));
        meta.put("config", config);
        SafeTensors.write(file, tensors, meta);
    }

    /**
     * Loads a checkpoint file; its tensors live in a sub-manager of {@code manager} and are
     * released by {@link #close()}.
     *
     * @throws IOException naming the file when it is incomplete or not a checkpoint of this format
     */
    public static Checkpoint load(Path file, NDManager manager) throws IOException {
        Map<String, String> meta = readMetadata(file);
        StateDict all = SafeTensors.read(file, manager);
        try {
            Map<String, StateDict> parts = new LinkedHashMap<>();
            for (JsonElement name : parseJson(file, meta, "parts").getAsJsonArray()) {
                parts.put(name.getAsString(), all.stripPrefix(name.getAsString() + "."));
            }
            Map<String, Double> scalars = new LinkedHashMap<>();
            parseJson(file, meta, "scalars").getAsJsonObject().entrySet()
                    .forEach(e -> scalars.put(e.getKey(), e.getValue().getAsDouble()));
            Map<String, String> engine = new LinkedHashMap<>();
            parseJson(file, meta, "engine").getAsJsonObject().entrySet()
                    .forEach(e -> engine.put(e.getKey(), e.getValue().getAsString()));
            return new Checkpoint(parseLong(file, meta, "step"), parseLong(file, meta, "epoch"),
                    parseLong(file, meta, "seed"), meta.get("config"), parts, scalars, engine, all);
        } catch (IOException | RuntimeException e) {
            all.close();
            throw e;
        }
    }

    /**
     * Checks cheaply (header only) that a file is a complete checkpoint of this format and returns
     * the step it holds.
     *
     * @throws IOException naming the file and the problem otherwise
     */
    public static long verify(Path file) throws IOException {
        return parseLong(file, readMetadata(file), "step");
    }

    private static Map<String, String> readMetadata(Path file) throws IOException {
        Map<String, String> meta = SafeTensors.readHeader(file).metadata();
        if (!FORMAT.equals(meta.get("format"))) {
            throw new IOException(file + ": not a " + FORMAT + " checkpoint (format '" + meta.get("format") + "')");
        }
        return meta;
    }

    private static long parseLong(Path file, Map<String, String> meta, String key) throws IOException {
        try {
            return Long.parseLong(require(file, meta, key));
        } catch (NumberFormatException e) {
            throw new IOException(file + ": checkpoint metadata '" + key + "' is not an integer: " + meta.get(key), e);
        }
    }

    private static JsonElement parseJson(Path file, Map<String, String> meta, String key) throws IOException {
        try {
            return GSON.fromJson(require(file, meta, key), JsonElement.class);
        } catch (JsonParseException e) {
            throw new IOException(file + ": checkpoint metadata '" + key + "' is not valid JSON: " + e.getMessage(), e);
        }
    }

    private static String require(Path file, Map<String, String> meta, String key) throws IOException {
        String v = meta.get(key);
        if (v == null) {
            throw new IOException(file + ": checkpoint metadata lacks '" + key + "'");
        }
        return v;
    }

    private static Map<String, String> engineInfo() {
        Engine e = Engine.getInstance();
        Map<String, String> info = new LinkedHashMap<>();
        info.put("name", e.getEngineName());
        info.put("version", e.getVersion());
        info.put("gpus", Integer.toString(e.getGpuCount()));
        info.put("java", System.getProperty("java.version"));
        return info;
    }

    /** Releases the tensors of a loaded checkpoint; a checkpoint built for saving owns nothing. */
    @Override
    public void close() {
        if (owner != null) {
            owner.close();
        }
    }

    @Override
    public String toString() {
        return "Checkpoint(step " + step + ", epoch " + epoch + ", parts " + parts.keySet() + ")";
    }
}
