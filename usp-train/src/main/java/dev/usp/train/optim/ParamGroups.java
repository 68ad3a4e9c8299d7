package dev.usp.train.optim;

import dev.usp.core.nn.Parameter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The parameter-group rules of the official recipes; frozen parameters are left out, as in PyTorch. */
public final class ParamGroups {

    private ParamGroups() {
    }

    /** One group with every trainable parameter (DiT/SiT: AdamW with weight decay 0). */
    public static List<ParamGroup> single(Map<String, Parameter> params, double weightDecay) {
        return List.of(new ParamGroup("all", trainableNames(params), 1.0, weightDecay));
    }

    /**
     * timm's {@code param_groups_weight_decay} (MAE/USP pretraining): no decay for parameters
     * with ndim <= 1, names ending in {@code .bias}, or names in {@code noWeightDecay}; groups are
     * [no_decay (wd 0), decay (wd)]. USP's pretraining passes an empty skip list, so
     * {@code cls_token} and {@code mask_token} (3-D) are decayed there.
     */
    public static List<ParamGroup> weightDecay(Map<String, Parameter> params, double weightDecay,
                                               Set<String> noWeightDecay) {
        List<String> decay = new ArrayList<>();
        List<String> noDecay = new ArrayList<>();
        for (String name : trainableNames(params)) {
            Parameter p = params.get(name);
            boolean skip = p.shape().dimension() <= 1 || name.endsWith(".bias") || noWeightDecay.contains(name);
            (skip ? noDecay : decay).add(name);
        }
        return List.of(new ParamGroup("no_decay", noDecay, 1.0, 0.0),
                new ParamGroup("decay", decay, 1.0, weightDecay));
    }

    /**
     * MAE's {@code param_groups_lrd} (fine-tuning): layer-wise lr decay with groups
     * {@code layer_<id>_decay} / {@code layer_<id>_no_decay} in first-seen order; no decay for
     * ndim == 1 or names in {@code noWeightDecay} (timm ViT: pos_embed, cls_token, dist_token);
     * lr scale = layerDecay^(numBlocks + 1 - layer_id), see {@link #layerIdForVit}.
     */
    public static List<ParamGroup> layerDecay(Map<String, Parameter> params, double weightDecay,
                                              Set<String> noWeightDecay, double layerDecay, int numBlocks) {
        int numLayers = numBlocks + 1;
        Map<String, List<String>> members = new LinkedHashMap<>();
        Map<String, double[]> settings = new LinkedHashMap<>();
        for (String name : trainableNames(params)) {
            Parameter p = params.get(name);
            boolean noDecay = p.shape().dimension() == 1 || noWeightDecay.contains(name);
            int layer = layerIdForVit(name, numLayers);
            String group = "layer_" + layer + (noDecay ? "_no_decay" : "_decay");
            members.computeIfAbsent(group, k -> new ArrayList<>()).add(name);
            settings.computeIfAbsent(group, k -> new double[] {
                Math.pow(layerDecay, numLayers - layer), noDecay ? 0.0 : weightDecay});
        }
        List<ParamGroup> out = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : members.entrySet()) {
            double[] s = settings.get(e.getKey());
            out.add(new ParamGroup(e.getKey(), e.getValue(), s[0], s[1]));
        }
        return out;
    }

    /**
     * BEiT/MAE's layer id: 0 for {@code cls_token}, {@code pos_embed} and {@code patch_embed.*},
     * i + 1 for {@code blocks.i.*}, {@code numLayers} (= blocks + 1) for everything else.
     */
    public static int layerIdForVit(String name, int numLayers) {
        if (name.equals("cls_token") || name.equals("pos_embed") || name.startsWith("patch_embed")) {
            return 0;
        }
        if (name.startsWith("blocks")) {
            return Integer.parseInt(name.split("\\.")[1]) + 1;
        }
        return numLayers;
    }

    private static List<String> trainableNames(Map<String, Parameter> params) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : params.entrySet()) {
            if (e.getValue().isTrainable()) {
                out.add(e.getKey());
            }
        }
        return out;
    }
}
