package dev.usp.vae.weights;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import dev.usp.vae.VaeConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a diffusers {@code AutoencoderKL} {@code config.json} into a {@link VaeConfig}:
 * {@code block_out_channels} (ch and ch_mult), {@code layers_per_block}, {@code latent_channels},
 * {@code in_channels}, {@code out_channels}, {@code sample_size}, {@code norm_num_groups} (default
 * 32), {@code scaling_factor} (default 0.18215), and attention levels from
 * {@code down_block_types}/{@code up_block_types} ({@code Attn...} block types).
 */
public final class DiffusersConfig {

    /** The config file inside a diffusers model folder. */
    public static final String FILE = "config.json";

    private DiffusersConfig() {
    }

    /**
     * Parses the file.
     *
     * @throws IOException naming the file and the field when it is unreadable, lacks a field, or
     *     describes a model this implementation does not build
     */
    public static VaeConfig read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": missing diffusers config");
        }
        JsonObject o;
        try {
            o = new Gson().fromJson(Files.readString(file, StandardCharsets.UTF_8), JsonObject.class);
        } catch (JsonParseException | ClassCastException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (o == null) {
            throw new IOException(file + ": empty");
        }
        try {
            return parse(o, file);
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static VaeConfig parse(JsonObject o, Path file) throws IOException {
        String cls = text(o, "_class_name", "AutoencoderKL");
        if (!cls.equals("AutoencoderKL")) {
            throw new IOException(file + ": _class_name is " + cls + ", not AutoencoderKL");
        }
        String act = text(o, "act_fn", "silu");
        if (!act.equals("silu")) {
            throw new IOException(file + ": act_fn " + act + " is not supported (only silu)");
        }
        if (o.has("mid_block_add_attention") && !o.get("mid_block_add_attention").getAsBoolean()) {
            throw new IOException(file + ": mid_block_add_attention=false is not supported");
        }
        List<Integer> widths = ints(require(o, "block_out_channels", file).getAsJsonArray());
        int ch = widths.get(0);
        List<Integer> mult = new ArrayList<>();
        for (int w : widths) {
            if (w % ch != 0) {
                throw new IOException(file + ": block_out_channels " + widths + " are not multiples of the first");
            }
            mult.add(w / ch);
        }
        int size = require(o, "sample_size", file).getAsInt();
        List<String> down = strings(o, "down_block_types", widths.size(), file);
        List<String> up = strings(o, "up_block_types", widths.size(), file);
        Set<Integer> encAttn = new HashSet<>();
        Set<Integer> decAttn = new HashSet<>();
        for (int i = 0; i < widths.size(); i++) {
            if (down.get(i).startsWith("Attn")) {
                encAttn.add(size >> i);
            }
            // up_block_types run from the deepest level to level 0.
            if (up.get(widths.size() - 1 - i).startsWith("Attn")) {
                decAttn.add(size >> i);
            }
        }
        return new VaeConfig(ch, mult, require(o, "layers_per_block", file).getAsInt(), encAttn, decAttn,
                require(o, "latent_channels", file).getAsInt(), true,
                require(o, "in_channels", file).getAsInt(), require(o, "out_channels", file).getAsInt(), size,
                o.has("norm_num_groups") ? o.get("norm_num_groups").getAsInt() : 32,
                o.has("scaling_factor") ? o.get("scaling_factor").getAsDouble() : 0.18215);
    }

    private static JsonElement require(JsonObject o, String key, Path file) throws IOException {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            throw new IOException(file + ": missing field '" + key + "'");
        }
        return e;
    }

    private static String text(JsonObject o, String key, String fallback) {
        return o.has(key) ? o.get(key).getAsString() : fallback;
    }

    private static List<Integer> ints(JsonArray a) {
        List<Integer> out = new ArrayList<>();
        a.forEach(e -> out.add(e.getAsInt()));
        return out;
    }

    private static List<String> strings(JsonObject o, String key, int levels, Path file) throws IOException {
        if (!o.has(key)) {
            return java.util.Collections.nCopies(levels, "");
        }
        List<String> out = new ArrayList<>();
        o.getAsJsonArray(key).forEach(e -> out.add(e.getAsString()));
        if (out.size() != levels) {
            throw new IOException(file + ": " + key + " has " + out.size() + " entries for " + levels + " levels");
        }
        return out;
    }
}
