package dev.usp.models.mae;

import ai.djl.ndarray.NDManager;
import dev.usp.models.vit.VitSize;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named MAE sizes of USP's {@code models_mae.py} for latents, plus this project's tiny CPU size.
 * The decoder is 512 wide, 8 deep, 16 heads for every official size; MLP ratio 4.
 *
 * <ul>
 *   <li>{@code vit_tiny_patch_vae} (this project): encoder 192/6/3, decoder 128/2/4</li>
 *   <li>{@code vit_base_patch_vae}, {@code vit_large_patch_vae}, {@code vit_xlarge_patch_vae},
 *       {@code vit_huge_patch_vae}: patch = the options' patch (2 for d8, 1 for d16)</li>
 *   <li>{@code vit_base_patch_vae_2}, {@code vit_large_patch_vae_2}: twice the options' patch
 *       (so that DiT-B/4 and L/4 can be initialised)</li>
 *   <li>{@code vit_base_patch2_vae}: patch 2 whatever the options say</li>
 * </ul>
 * The official file defines {@code vit_huge_patch_vae} twice; the later (1280/32/16) wins there
 * and here.
 */
public final class MaeModels {

    /** Encoder size, decoder size, and the patch rule (factor times the options' patch, or a fixed patch). */
    private record Spec(VitSize encoder, VitSize decoder, int patchFactor, int fixedPatch) {
    }

    private static final VitSize OFFICIAL_DECODER = new VitSize(512, 8, 16);
    private static final VitSize TINY_DECODER = new VitSize(128, 2, 4);
    private static final Map<String, Spec> SPECS = new LinkedHashMap<>();

    static {
        SPECS.put("vit_tiny_patch_vae", new Spec(VitSize.TINY, TINY_DECODER, 1, 0));
        SPECS.put("vit_base_patch_vae", new Spec(VitSize.BASE, OFFICIAL_DECODER, 1, 0));
        SPECS.put("vit_base_patch2_vae", new Spec(VitSize.BASE, OFFICIAL_DECODER, 0, 2));
        SPECS.put("vit_base_patch_vae_2", new Spec(VitSize.BASE, OFFICIAL_DECODER, 2, 0));
        SPECS.put("vit_large_patch_vae", new Spec(VitSize.LARGE, OFFICIAL_DECODER, 1, 0));
        SPECS.put("vit_large_patch_vae_2", new Spec(VitSize.LARGE, OFFICIAL_DECODER, 2, 0));
        SPECS.put("vit_xlarge_patch_vae", new Spec(VitSize.XLARGE, OFFICIAL_DECODER, 1, 0));
        SPECS.put("vit_huge_patch_vae", new Spec(VitSize.HUGE, OFFICIAL_DECODER, 1, 0));
    }

    private MaeModels() {
    }

    /** The known names. */
    public static List<String> names() {
        return List.copyOf(SPECS.keySet());
    }

    /** The configuration of a named size under the given options. */
    public static MaeConfig config(String name, MaeOptions opts) {
        Spec s = SPECS.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown MAE model '" + name + "'; known: " + names());
        }
        int patch = s.patchFactor() > 0 ? s.patchFactor() * opts.patchSize() : s.fixedPatch();
        return new MaeConfig(opts.inputSize(), patch, opts.inChannels(),
                s.encoder().dim(), s.encoder().depth(), s.encoder().heads(),
                s.decoder().dim(), s.decoder().depth(), s.decoder().heads(), 4.0,
                opts.normPixLoss(), opts.normImage(), opts.maskRatio());
    }

    /** Builds a named MAE whose parameters live in {@code manager}. */
    public static MaskedAutoencoder create(String name, MaeOptions opts, NDManager manager) {
        return new MaskedAutoencoder(config(name, opts), manager);
    }
}
