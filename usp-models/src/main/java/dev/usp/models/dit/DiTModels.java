package dev.usp.models.dit;

import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Named DiT and SiT sizes, {@code <family>-<size>/<patch>[-VAE-simple]}, with the official
 * defaults (32x32x4 latents, 1000 classes, label dropout 0.1, learned sigma).
 *
 * <p>Sizes (width / depth / heads): S 384/12/6, B 768/12/12, L 1024/24/16, XL 1152/28/16, as the
 * official {@code DiT_models}; M 128/4/4 and T 192/6/3 are this project's CPU sizes. Patches 2, 4, 8
 * as the official ones, and 1 (this project's, for the 8x8 latents of the CPU miniature: 64 tokens).
 * {@code -VAE-simple} selects USP's affine block norms; the official code registers it only for
 * some sizes, here every size has it. Families: {@code DiT} and {@code SiT} share these shapes.
 */
public final class DiTModels {

    private static final Pattern NAME = Pattern.compile("(DiT|SiT)-(M|T|S|B|L|XL)/(1|2|4|8)(-VAE-simple)?");
    private static final Map<String, int[]> SIZES = new LinkedHashMap<>();

    static {
        SIZES.put("M", new int[] {128, 4, 4});
        SIZES.put("T", new int[] {192, 6, 3});
        SIZES.put("S", new int[] {384, 12, 6});
        SIZES.put("B", new int[] {768, 12, 12});
        SIZES.put("L", new int[] {1024, 24, 16});
        SIZES.put("XL", new int[] {1152, 28, 16});
    }

    private DiTModels() {
    }

    /**
     * The configuration of a named model, e.g. {@code DiT-XL/2}, {@code SiT-B/2-VAE-simple}.
     *
     * @throws IllegalArgumentException listing the known names when the name is unknown
     */
    public static DiTConfig config(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown DiT/SiT model '" + name + "'; known: " + names());
        }
        int[] s = SIZES.get(m.group(2));
        return DiTConfig.of(s[0], s[1], s[2], Integer.parseInt(m.group(3))).toBuilder()
                .affineBlockNorms(m.group(4) != null).build();
    }

    /** True for a {@code SiT-...} name. */
    public static boolean isSiT(String name) {
        return name.startsWith("SiT-");
    }

    /** Every registered name, DiT first. */
    public static List<String> names() {
        List<String> out = new ArrayList<>();
        for (String family : new String[] {"DiT", "SiT"}) {
            for (String size : SIZES.keySet()) {
                for (int p : new int[] {1, 2, 4, 8}) {
                    out.add(family + "-" + size + "/" + p);
                    out.add(family + "-" + size + "/" + p + "-VAE-simple");
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    /**
     * Builds a named DiT with the official defaults.
     *
     * @throws IllegalArgumentException for an unknown or a SiT name (use {@code SiTModels})
     */
    public static DiT create(NDManager manager, String name) {
        if (isSiT(name)) {
            throw new IllegalArgumentException("'" + name + "' is a SiT model: build it with SiTModels.create");
        }
        return new DiT(manager, config(name));
    }
}
