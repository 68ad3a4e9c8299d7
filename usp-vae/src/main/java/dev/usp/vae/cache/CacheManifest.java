package dev.usp.vae.cache;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import dev.usp.core.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The description of a latent cache, stored as JSON. Written as {@code cache-spec.json} (without
 * shards) when a cache is started, so that a resumed run can check it uses the same settings, and
 * as {@code manifest.json} (with shards) when every shard is written: its presence marks a complete
 * cache.
 *
 * @param images number of images
 * @param shardSize images per shard (the last may hold fewer)
 * @param imageShape (C, H, W) of the images
 * @param momentsShape (2z, h, w) of the moments of one image: mean ++ clamped logvar
 * @param dtype storage type of the moments, F32 or F16
 * @param scaleFactor the VAE's latent scale factor
 * @param vae a description of the VAE that encoded the images
 * @param shards the shard files in order (empty in the spec)
 */
public record CacheManifest(int images, int shardSize, List<Long> imageShape, List<Long> momentsShape, String dtype,
                            double scaleFactor, String vae, List<Shard> shards) {

    /** Manifest file name. */
    public static final String MANIFEST = "manifest.json";
    /** Spec file name. */
    public static final String SPEC = "cache-spec.json";

    /** One shard: file name and the images it holds, {@code start .. start + count - 1}. */
    public record Shard(String file, int start, int count) {
    }

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** The number of shards. */
    public int shardCount() {
        return (images + shardSize - 1) / shardSize;
    }

    /** This manifest without its shard list (the spec). */
    public CacheManifest spec() {
        return new CacheManifest(images, shardSize, imageShape, momentsShape, dtype, scaleFactor, vae, List.of());
    }

    /** This manifest with a shard list. */
    public CacheManifest withShards(List<Shard> list) {
        return new CacheManifest(images, shardSize, imageShape, momentsShape, dtype, scaleFactor, vae, List.copyOf(list));
    }

    /** Writes the JSON atomically. */
    public void write(Path file) throws IOException {
        AtomicFiles.writeString(file, GSON.toJson(this) + "\n");
    }

    /**
     * Reads a manifest or spec.
     *
     * @throws IOException naming the file when it is missing or not a manifest
     */
    public static CacheManifest read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": missing");
        }
        try {
            CacheManifest m = GSON.fromJson(Files.readString(file, StandardCharsets.UTF_8), CacheManifest.class);
            if (m == null || m.imageShape == null || m.momentsShape == null || m.shards == null || m.dtype == null) {
                throw new IOException(file + ": not a latent cache manifest");
            }
            return m;
        } catch (JsonParseException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }
}
