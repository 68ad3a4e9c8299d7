package dev.usp.vae.weights;

import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.usp.core.io.AtomicFiles;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.core.weights.WeightFiles;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A trained VAE on disk: {@code vae.safetensors} under LDM names, plus a JSON sidecar
 * ({@code vae.json}) with its architecture and latent scale factor (also stored in the
 * safetensors metadata under {@link #METADATA_KEY}), so that {@link #load(Path, NDManager)} needs
 * nothing else. Files without a sidecar (released VAEs, {@code .ckpt} files) load with a preset.
 */
public final class VaeFiles {

    /** The weight file a VAE trainer writes. */
    public static final String WEIGHTS = "vae.safetensors";
    /** The safetensors metadata key holding the sidecar JSON. */
    public static final String METADATA_KEY = "usp_vae";
    /** The value of the sidecar's {@code format} key. */
    public static final String FORMAT = "usp-vae/1";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private VaeFiles() {
    }

    /** The sidecar of a weight file: {@code dir/vae.safetensors} -> {@code dir/vae.json}. */
    public static Path sidecarOf(Path weights) {
        String name = weights.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return weights.resolveSibling((dot > 0 ? name.substring(0, dot) : name) + ".json");
    }

    /**
     * Writes the VAE's weights (LDM names) to {@code weights} and its config to the sidecar, both
     * atomically.
     *
     * @param preset the preset the architecture came from (recorded only), or null
     */
    public static void save(AutoencoderKL vae, Path weights, String preset) throws IOException {
        String json = GSON.toJson(toJson(vae.config(), preset));
        try (StateDict sd = vae.stateDict()) {
            SafeTensors.write(weights, sd.asMap(), Map.of(METADATA_KEY, json));
        }
        AtomicFiles.writeString(sidecarOf(weights), json + "\n");
    }

    /**
     * Loads a VAE whose file carries its config: a file written by {@link #save}, a folder holding
     * {@code vae.safetensors}, or a diffusers model folder.
     *
     * @throws IOException naming the file when it has no config (pass a preset to
     *     {@link #load(Path, String, NDManager)}) or is unreadable
     */
    public static AutoencoderKL load(Path path, NDManager manager) throws IOException {
        return load(path, null, manager);
    }

    /**
     * Loads a VAE from a safetensors or torch.save file ({@code .ckpt}, {@code .pt}, bare or with
     * the weights under a single {@code model}/{@code state_dict}/{@code ema} entry; any naming
     * and prefix {@link VaeWeights} accepts), a folder holding {@code vae.safetensors}, or a
     * diffusers model folder. The architecture comes from the sidecar, then the safetensors
     * metadata, then {@code preset}.
     *
     * @param preset a {@link VaeConfig#preset} name used when the file carries no config, or null
     * @throws IOException naming the file when it is unreadable, or has no config and no preset was given
     */
    public static AutoencoderKL load(Path path, String preset, NDManager manager) throws IOException {
        return load(path, preset, null, manager);
    }

    /**
     * As {@link #load(Path, String, NDManager)}, reading the weights of a torch.save file from
     * the entry {@code key} (see {@link VaeCheckpoints#read}).
     *
     * @param key the entry holding the weights ({@code model}, {@code state_dict}...), or null for
     *     the whole file or its single {@code model}/{@code state_dict}/{@code ema} entry
     * @throws IOException naming the file when it is unreadable, or has no config and no preset was given
     * @throws IllegalArgumentException naming the file and its keys when the entry is absent or ambiguous
     */
    public static AutoencoderKL load(Path path, String preset, String key, NDManager manager) throws IOException {
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve(WEIGHTS))) {
                return load(path.resolve(WEIGHTS), preset, key, manager);
            }
            return VaeWeights.loadDiffusers(path, manager);
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException(path + ": no such VAE file or folder");
        }
        VaeConfig config = readConfig(path);
        if (config == null) {
            if (preset == null) {
                throw new IOException(path + ": no " + sidecarOf(path).getFileName() + " sidecar and no config in"
                        + " the file; give the architecture as a preset (e.g. --vae-preset sd)");
            }
            config = VaeConfig.preset(preset);
        }
        try (StateDict sd = VaeCheckpoints.read(path, key, manager)) {
            return VaeWeights.load(sd, config, manager);
        }
    }

    /**
     * The config stored with a weight file (sidecar first, then safetensors metadata), or null
     * when there is none.
     *
     * @throws IOException naming the file when a stored config is damaged
     */
    public static VaeConfig readConfig(Path weights) throws IOException {
        Path sidecar = sidecarOf(weights);
        if (Files.isRegularFile(sidecar)) {
            return fromJson(Files.readString(sidecar, StandardCharsets.UTF_8), sidecar.toString());
        }
        if (WeightFiles.detect(weights) == WeightFiles.Format.SAFETENSORS) {
            String json = SafeTensors.readHeader(weights).metadata().get(METADATA_KEY);
            if (json != null) {
                return fromJson(json, weights + " metadata '" + METADATA_KEY + "'");
            }
        }
        return null;
    }

    /** The sidecar JSON of a config: format, preset, and the fields of {@link VaeConfig} in snake_case. */
    static JsonObject toJson(VaeConfig c, String preset) {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        if (preset != null) {
            o.addProperty("preset", preset);
        }
        o.addProperty("ch", c.ch());
        o.add("ch_mult", ints(c.chMult()));
        o.addProperty("num_res_blocks", c.numResBlocks());
        o.add("encoder_attn_resolutions", ints(new TreeSet<>(c.encoderAttnResolutions())));
        o.add("decoder_attn_resolutions", ints(new TreeSet<>(c.decoderAttnResolutions())));
        o.addProperty("z_channels", c.zChannels());
        o.addProperty("double_z", c.doubleZ());
        o.addProperty("in_channels", c.inChannels());
        o.addProperty("out_channels", c.outChannels());
        o.addProperty("resolution", c.resolution());
        o.addProperty("norm_groups", c.normGroups());
        o.addProperty("scale_factor", c.scaleFactor());
        return o;
    }

    /**
     * Parses a sidecar.
     *
     * @throws IOException naming {@code source} and the key when a key is missing or not a number
     */
    static VaeConfig fromJson(String json, String source) throws IOException {
        try {
            JsonObject o = GSON.fromJson(json, JsonObject.class);
            if (o == null || !FORMAT.equals(string(o, "format"))) {
                throw new IOException(source + ": not a " + FORMAT + " VAE description");
            }
            return new VaeConfig(integer(o, "ch", source), list(o, "ch_mult", source),
                    integer(o, "num_res_blocks", source),
                    Set.copyOf(list(o, "encoder_attn_resolutions", source)),
                    Set.copyOf(list(o, "decoder_attn_resolutions", source)), integer(o, "z_channels", source),
                    require(o, "double_z", source).getAsBoolean(), integer(o, "in_channels", source),
                    integer(o, "out_channels", source), integer(o, "resolution", source),
                    integer(o, "norm_groups", source), require(o, "scale_factor", source).getAsDouble());
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
            throw new IOException(source + ": damaged VAE description: " + e.getMessage(), e);
        }
    }

    private static JsonArray ints(Iterable<Integer> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }

    private static String string(JsonObject o, String key) {
        return o.has(key) && o.get(key).isJsonPrimitive() ? o.get(key).getAsString() : null;
    }

    private static JsonElement require(JsonObject o, String key, String source) throws IOException {
        if (!o.has(key) || o.get(key).isJsonNull()) {
            throw new IOException(source + ": VAE description lacks '" + key + "'");
        }
        return o.get(key);
    }

    private static int integer(JsonObject o, String key, String source) throws IOException {
        return require(o, key, source).getAsInt();
    }

    private static List<Integer> list(JsonObject o, String key, String source) throws IOException {
        List<Integer> out = new ArrayList<>();
        require(o, key, source).getAsJsonArray().forEach(e -> out.add(e.getAsInt()));
        return out;
    }
}
