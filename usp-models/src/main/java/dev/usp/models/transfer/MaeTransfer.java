package dev.usp.models.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.nn.Module;
import dev.usp.core.nn.Parameter;
import dev.usp.core.weights.LoadReport;
import dev.usp.core.weights.StateDict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Loads a pretrained MAE encoder (a state dict with the official MAE keys) into a generator
 * (DiT/SiT, as USP's {@code --finetune} in {@code generation/DiT/train.py} and {@code generation/SiT/train.py}) or into a ViT classifier (as MAE's
 * {@code main_finetune.py}). Works on any {@link Module} by tensor name, so it depends on neither
 * model class. Temporaries live in a sub-manager of the target's and are freed before returning;
 * the target receives copies.
 */
public final class MaeTransfer {

    private static final Logger LOG = LoggerFactory.getLogger(MaeTransfer.class);
    private static final String PATCH_W = "patch_embed.proj.weight";
    private static final String PATCH_B = "patch_embed.proj.bias";
    private static final String POS = "pos_embed";
    private static final int PREVIEW = 6;

    private MaeTransfer() {
    }

    /**
     * MAE -> DiT/SiT. {@code patch_embed.proj.*} becomes {@code x_embedder.proj.*} when the input
     * channel counts match (otherwise it is ignored); {@code pos_embed} loses its cls row and, when
     * the grid differs (14x14 from 224px pretraining, 16x16 at 256px) and the options ask for it, is
     * resized bicubically; {@code blocks.*} load by name, only those below {@code usePretrainLayer}
     * when it is >= 0. The decoder, {@code norm}, {@code cls_token} and {@code mask_token} end up as
     * unexpected; the embedders, adaLN and final layer stay at their init.
     *
     * @throws IllegalArgumentException naming the key and both shapes on a shape mismatch the
     *     options do not allow; naming both grids when the position grid differs and no resize was
     *     asked for; when nothing loads; or when other target keys stay at their init and partial
     *     transfers are not allowed
     */
    public static TransferReport toGenerator(StateDict mae, Module target, TransferOptions options) {
        StateDict src = unwrap(mae);
        Map<String, Parameter> dst = target.namedTensors();
        TransferReport report = new TransferReport();
        String targetName = target.getClass().getSimpleName();
        try (NDManager scope = target.manager().newSubManager()) {
            Map<String, NDArray> prepared = new LinkedHashMap<>(src.asMap());
            NDArray w = prepared.remove(PATCH_W);
            NDArray b = prepared.remove(PATCH_B);
            Parameter xw = dst.get("x_embedder.proj.weight");
            boolean otherChannels = w != null && xw != null && w.getShape().get(1) != xw.shape().get(1);
            if (w != null && xw != null && !otherChannels) {
                prepared.put("x_embedder.proj.weight", w);
                if (b != null) {
                    prepared.put("x_embedder.proj.bias", b);
                }
            } else {
                String why = w == null || xw == null ? "no patch embedding on one side"
                        : "input channels " + w.getShape().get(1) + " != target's " + xw.shape().get(1);
                if (w != null) {
                    report.addIgnored(PATCH_W, why);
                }
                if (b != null) {
                    report.addIgnored(PATCH_B, why);
                }
            }
            NDArray pos = prepared.get(POS);
            Parameter targetPos = dst.get(POS);
            if (pos != null && targetPos != null) {
                int newGrid = PosEmbedResize.gridSize(targetPos.array(), 0);
                checkGrid(PosEmbedResize.gridSize(pos, 1), newGrid, options, report, src.source(), targetName);
                prepared.put(POS, PosEmbedResize.resize(inScope(pos, scope), 1, newGrid, false));
            }
            if (options.usePretrainLayer() >= 0) {
                prepared.keySet().removeIf(k -> {
                    int i = blockIndex(k);
                    if (i >= options.usePretrainLayer()) {
                        report.addIgnored(k, "use_pretrain_layer " + options.usePretrainLayer());
                        return true;
                    }
                    return false;
                });
            }
            Predicate<String> byDesign = k -> generatorOwn(k) || (otherChannels && k.startsWith("x_embedder."))
                    || (options.usePretrainLayer() >= 0 && blockIndex(k) >= options.usePretrainLayer());
            load(prepared, dst, options, byDesign, report.load(), src, targetName);
        }
        LOG.info("MAE -> {}: {}", targetName, report.summary());
        LOG.debug("MAE -> {}: {}", targetName, report);
        return report;
    }

    /**
     * MAE -> ViT classifier: everything by name; {@code pos_embed} keeps its leading
     * {@code extraTokens} rows and has its grid resized when it differs and the options ask for it;
     * {@code head.*} of another shape is dropped (the head keeps its init, as {@code main_finetune.py});
     * the target's {@code fc_norm}/{@code head} end up missing and the decoder unexpected.
     *
     * @throws IllegalArgumentException as {@link #toGenerator}, with {@code fc_norm} and {@code head}
     *     the keys expected to stay at their init
     */
    public static TransferReport toClassifier(StateDict mae, Module target, TransferOptions options) {
        StateDict src = unwrap(mae);
        Map<String, Parameter> dst = target.namedTensors();
        TransferReport report = new TransferReport();
        String targetName = target.getClass().getSimpleName();
        try (NDManager scope = target.manager().newSubManager()) {
            Map<String, NDArray> prepared = new LinkedHashMap<>(src.asMap());
            for (String k : new String[] {"head.weight", "head.bias"}) {
                NDArray v = prepared.get(k);
                if (v != null && dst.containsKey(k) && !v.getShape().equals(dst.get(k).shape())) {
                    prepared.remove(k);
                    report.addIgnored(k, "shape " + v.getShape() + " != target's " + dst.get(k).shape());
                }
            }
            NDArray pos = prepared.get(POS);
            Parameter targetPos = dst.get(POS);
            if (pos != null && targetPos != null) {
                int extra = options.extraTokens();
                int newGrid = PosEmbedResize.gridSize(targetPos.array(), extra);
                int oldGrid = PosEmbedResize.gridSize(pos, extra);
                if (oldGrid != newGrid) {
                    checkGrid(oldGrid, newGrid, options, report, src.source(), targetName);
                    prepared.put(POS, PosEmbedResize.resize(inScope(pos, scope), extra, newGrid, true));
                }
            }
            load(prepared, dst, options, k -> k.startsWith("fc_norm.") || k.startsWith("head."), report.load(), src,
                    targetName);
        }
        LOG.info("MAE -> {}: {}", targetName, report.summary());
        LOG.debug("MAE -> {}: {}", targetName, report);
        return report;
    }

    /**
     * The model entries of a checkpoint: an official {@code checkpoint-*.pth} read as a flat dict
     * holds them under {@code model.}; this project's files hold them at the top level.
     */
    public static StateDict unwrap(StateDict sd) {
        boolean topLevel = sd.keys().stream().anyMatch(k -> k.equals(POS) || k.startsWith("blocks."));
        if (!topLevel && sd.keys().stream().anyMatch(k -> k.startsWith("model."))) {
            return sd.stripPrefix("model.");
        }
        return sd;
    }

    /** The block index of a {@code blocks.<i>.*} key, or -1. */
    static int blockIndex(String key) {
        if (!key.startsWith("blocks.")) {
            return -1;
        }
        int end = key.indexOf('.', 7);
        try {
            return Integer.parseInt(key.substring(7, end < 0 ? key.length() : end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String preview(Collection<String> keys) {
        List<String> first = keys.stream().limit(PREVIEW).toList();
        return first + (keys.size() > PREVIEW ? " and " + (keys.size() - PREVIEW) + " more" : "");
    }

    private static NDArray inScope(NDArray a, NDManager scope) {
        NDArray copy = a.toType(DataType.FLOAT32, true);
        copy.attach(scope);
        return copy;
    }

    /** Keys of a DiT/SiT that no MAE encoder has: the timestep and label embedders, adaLN, the final layer. */
    private static boolean generatorOwn(String key) {
        return key.startsWith("t_embedder.") || key.startsWith("y_embedder.") || key.startsWith("final_layer.")
                || key.contains(".adaLN_modulation.");
    }

    /** Accepts a grid change only when asked for, and records it. */
    private static void checkGrid(int oldGrid, int newGrid, TransferOptions options, TransferReport report,
                                  String source, String target) {
        if (oldGrid == newGrid) {
            return;
        }
        if (!options.resizePosEmbed()) {
            throw new IllegalArgumentException("pos_embed of " + source + " holds a " + oldGrid + "x" + oldGrid
                    + " grid but the " + target + "'s holds " + newGrid + "x" + newGrid + "; resizing it (bicubic, as "
                    + "MAE's interpolate_pos_embed) must be asked for (resize_pos_embed: true, or --resize-pos-embed "
                    + "for train-dit/train-sit; model.resize_pos_embed: true for finetune-cls/linprobe)");
        }
        report.addResized(POS, oldGrid, newGrid);
    }

    /**
     * Checks shapes, then refuses a transfer that loads nothing, or that leaves target keys at their
     * init which {@code leftByDesign} does not explain (unless partial loads are allowed); then copies.
     */
    private static void load(Map<String, NDArray> prepared, Map<String, Parameter> dst, TransferOptions options,
                             Predicate<String> leftByDesign, LoadReport report, StateDict src, String target) {
        String source = src.source();
        Set<String> skippable = options.skippableKeys();
        for (Map.Entry<String, NDArray> e : prepared.entrySet()) {
            Parameter p = dst.get(e.getKey());
            if (p == null) {
                continue;
            }
            Shape have = e.getValue().getShape();
            if (!have.equals(p.shape()) && !skippable.contains(e.getKey())) {
                throw new IllegalArgumentException("cannot transfer '" + e.getKey() + "' from " + source
                        + ": target shape " + p.shape() + ", checkpoint shape " + have
                        + " (list the key as skippable to keep the target's value)");
            }
        }
        List<String> loadable = new ArrayList<>();
        List<String> unexplained = new ArrayList<>();
        for (Map.Entry<String, Parameter> e : dst.entrySet()) {
            NDArray v = prepared.get(e.getKey());
            if (v != null && v.getShape().equals(e.getValue().shape())) {
                loadable.add(e.getKey());
            } else if (v == null && !leftByDesign.test(e.getKey())) {
                unexplained.add(e.getKey());
            }
        }
        if (loadable.isEmpty()) {
            throw new IllegalArgumentException("nothing of " + source + " fits the " + target + ": none of its "
                    + src.size() + " tensors has a name the " + target + " takes (e.g. "
                    + preview(src.keys()) + "); is it an MAE/USP pretraining checkpoint?");
        }
        if (!unexplained.isEmpty() && !options.allowPartial()) {
            throw new IllegalArgumentException(source + " leaves " + unexplained.size() + " tensors of the " + target
                    + " at their init that an MAE encoder provides (" + preview(unexplained) + "; " + loadable.size()
                    + " would load); allow a partial transfer if that is intended (allow_partial: true, or "
                    + "--allow-partial for train-dit/train-sit; model.allow_partial: true for finetune-cls/linprobe)");
        }
        for (Map.Entry<String, Parameter> e : dst.entrySet()) {
            NDArray v = prepared.get(e.getKey());
            if (v == null) {
                report.addMissing(e.getKey());
            } else if (!v.getShape().equals(e.getValue().shape())) {
                report.addMismatched(e.getKey(), e.getValue().shape().toString(), v.getShape().toString());
            } else {
                e.getValue().assign(v);
                report.addLoaded(e.getKey());
            }
        }
        for (String k : prepared.keySet()) {
            if (!dst.containsKey(k)) {
                report.addUnexpected(k);
            }
        }
    }
}
