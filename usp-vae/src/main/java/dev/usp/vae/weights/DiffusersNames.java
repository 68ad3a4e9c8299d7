package dev.usp.vae.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.StateDict;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renames a diffusers {@code AutoencoderKL} state dict to LDM names: {@code down_blocks.i.resnets.j}
 * -> {@code down.i.block.j}, {@code mid_block.resnets.0/1} -> {@code mid.block_1/2},
 * {@code attentions.j} -> {@code attn.j} (or {@code mid.attn_1}), {@code conv_shortcut} ->
 * {@code nin_shortcut}, {@code conv_norm_out} -> {@code norm_out}, {@code downsamplers.0} ->
 * {@code downsample}, {@code upsamplers.0} -> {@code upsample}, and decoder {@code up_blocks.i} ->
 * {@code up.(L-1-i)} (diffusers orders the decoder's levels from the deepest). Attention projections
 * stored as Linear (C, C) become 1x1 convolutions (C, C, 1, 1).
 */
final class DiffusersNames {

    private static final Pattern MID_RES = Pattern.compile("^(encoder|decoder)\\.mid_block\\.resnets\\.(\\d+)\\.(\\w+)\\.(\\w+)$");
    private static final Pattern MID_ATTN = Pattern.compile("^(encoder|decoder)\\.mid_block\\.attentions\\.0\\.(.+)\\.(\\w+)$");
    private static final Pattern LEVEL_RES = Pattern.compile("^(encoder\\.down_blocks|decoder\\.up_blocks)\\.(\\d+)\\.resnets\\.(\\d+)\\.(\\w+)\\.(\\w+)$");
    private static final Pattern LEVEL_ATTN = Pattern.compile("^(encoder\\.down_blocks|decoder\\.up_blocks)\\.(\\d+)\\.attentions\\.(\\d+)\\.(.+)\\.(\\w+)$");
    private static final Pattern LEVEL_RESAMPLE = Pattern.compile("^(encoder\\.down_blocks|decoder\\.up_blocks)\\.(\\d+)\\.(downsamplers|upsamplers)\\.0\\.conv\\.(\\w+)$");
    private static final Pattern UP_INDEX = Pattern.compile("^decoder\\.up_blocks\\.(\\d+)\\.");
    private static final Pattern NORM_OUT = Pattern.compile("^(encoder|decoder)\\.conv_norm_out\\.(\\w+)$");

    private static final Map<String, String> ATTN = Map.of(
            "group_norm", "norm",
            "to_q", "q", "query", "q",
            "to_k", "k", "key", "k",
            "to_v", "v", "value", "v",
            "to_out.0", "proj_out", "proj_attn", "proj_out");

    private DiffusersNames() {
    }

    /**
     * The same tensors under LDM names. Reshaped attention weights are new arrays attached to
     * {@code scratch}; all others are shared with {@code sd}. Unknown names pass through unchanged.
     */
    static StateDict toLdm(StateDict sd, NDManager scratch) {
        int levels = decoderLevels(sd);
        StateDict out = new StateDict(sd.source() + " [diffusers names -> LDM]", null);
        for (Map.Entry<String, NDArray> e : sd.asMap().entrySet()) {
            Renamed r = rename(e.getKey(), levels);
            NDArray value = e.getValue();
            if (r.attentionProjection && r.name.endsWith(".weight") && value.getShape().dimension() == 2) {
                value = value.reshape(value.getShape().get(0), value.getShape().get(1), 1, 1);
                value.attach(scratch);
            }
            out.put(r.name, value);
        }
        return out;
    }

    private record Renamed(String name, boolean attentionProjection) {
    }

    private static Renamed rename(String key, int levels) {
        Matcher m = MID_RES.matcher(key);
        if (m.matches()) {
            return plain(m.group(1) + ".mid.block_" + (Integer.parseInt(m.group(2)) + 1) + "."
                    + resnetPart(m.group(3)) + "." + m.group(4));
        }
        m = MID_ATTN.matcher(key);
        if (m.matches()) {
            return attention(m.group(1) + ".mid.attn_1", m.group(2), m.group(3), key);
        }
        m = LEVEL_RES.matcher(key);
        if (m.matches()) {
            return plain(level(m.group(1), m.group(2), levels) + ".block." + m.group(3) + "."
                    + resnetPart(m.group(4)) + "." + m.group(5));
        }
        m = LEVEL_ATTN.matcher(key);
        if (m.matches()) {
            return attention(level(m.group(1), m.group(2), levels) + ".attn." + m.group(3), m.group(4), m.group(5), key);
        }
        m = LEVEL_RESAMPLE.matcher(key);
        if (m.matches()) {
            String which = m.group(3).equals("downsamplers") ? "downsample" : "upsample";
            return plain(level(m.group(1), m.group(2), levels) + "." + which + ".conv." + m.group(4));
        }
        m = NORM_OUT.matcher(key);
        if (m.matches()) {
            return plain(m.group(1) + ".norm_out." + m.group(2));
        }
        return plain(key);
    }

    private static Renamed plain(String name) {
        return new Renamed(name, false);
    }

    private static Renamed attention(String prefix, String part, String leaf, String key) {
        String ldm = ATTN.get(part);
        if (ldm == null) {
            return plain(key);
        }
        return new Renamed(prefix + "." + ldm + "." + leaf, !ldm.equals("norm"));
    }

    private static String resnetPart(String part) {
        return part.equals("conv_shortcut") ? "nin_shortcut" : part;
    }

    private static String level(String blocks, String index, int levels) {
        int i = Integer.parseInt(index);
        return blocks.startsWith("encoder") ? "encoder.down." + i : "decoder.up." + (levels - 1 - i);
    }

    private static int decoderLevels(StateDict sd) {
        int max = -1;
        for (String key : sd.keys()) {
            Matcher m = UP_INDEX.matcher(key);
            if (m.find()) {
                max = Math.max(max, Integer.parseInt(m.group(1)));
            }
        }
        return max + 1;
    }
}
