package dev.usp.models.vit;

import ai.djl.ndarray.NDManager;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named classifier sizes of USP's {@code models_vit.py} for latents ({@code vit_*_patch16_vae}:
 * despite the name the patch comes from the options, 2 for d8 latents) plus this project's tiny
 * CPU size. MLP ratio 4, LayerNorm eps 1e-6, qkv with bias.
 */
public final class VitModels {

    private static final Map<String, VitSize> SIZES = new LinkedHashMap<>();

    static {
        SIZES.put("vit_tiny_patch16_vae", VitSize.TINY);
        SIZES.put("vit_base_patch16_vae", VitSize.BASE);
        SIZES.put("vit_large_patch16_vae", VitSize.LARGE);
        SIZES.put("vit_xlarge_patch16_vae", VitSize.XLARGE);
    }

    private VitModels() {
    }

    /** The known names, in size order. */
    public static List<String> names() {
        return List.copyOf(SIZES.keySet());
    }

    /** The configuration of a named size under the given options (depth = size depth - skipDepth). */
    public static VitConfig config(String name, VitOptions opts) {
        VitSize s = SIZES.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown ViT classifier '" + name + "'; known: " + names());
        }
        int depth = s.depth() - opts.skipDepth();
        if (opts.skipDepth() < 0 || depth <= 0) {
            throw new IllegalArgumentException("skipDepth " + opts.skipDepth() + " must be in [0, " + s.depth()
                    + ") for " + name);
        }
        return new VitConfig(opts.inputSize(), opts.patchSize(), opts.inChannels(), s.dim(), depth, s.heads(),
                4.0, opts.numClasses(), opts.pool(), opts.dropPathRate(), opts.headInitStd(),
                opts.probeHead());
    }

    /** Builds a named classifier whose parameters live in {@code manager}. */
    public static VisionTransformer create(String name, VitOptions opts, NDManager manager) {
        return new VisionTransformer(config(name, opts), manager);
    }
}
