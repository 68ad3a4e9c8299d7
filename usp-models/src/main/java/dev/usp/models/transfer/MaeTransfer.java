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

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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

    private MaeTransfer() {
    }

    /**
     * MAE -> DiT/SiT. {@code patch_embed.proj.*} becomes {@code x_embedder.proj.*} when the input
     * channel counts match (otherwise it is ignored); {@code pos_embed} loses its cls row and, when
     * the grid differs (14x14 from 224px pretraining, 16x16 at 256px), is resized bicubically;
     * {@code blocks.*} load by name, only those below {@code usePretrainLayer} when it is >= 0. The
     * decoder, {@code norm}, {@code cls_token} and {@code mask_token} end up as unexpected.
     *
     * @throws IllegalArgumentException naming the key and both shapes on a shape mismatch the
     *     options do not allow
     */
    public static TransferReport toGenerator(StateDict mae, Module target, TransferOptions options) {
        StateDict src = unwrap(mae);
        Map<String, Parameter> dst = target.namedTensors();
        TransferReport report = new TransferReport();
        try (NDManager scope = target.manager().newSubManager()) {
            Map<String, NDArray> prepared = new LinkedHashMap<>(src.asMap());
            NDArray w = prepared.remove(PATCH_W);
            NDArray b = prepared.remove(PATCH_B);
            Parameter xw = dst.get("x_embedder.proj.weight");
            if (w != null && xw != null && w.getShape().get(1) == xw.shape().get(1)) {
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
            load(prepared, dst, options.skippableKeys(), report.load(), src.source());
        }
        LOG.info("MAE -> {}: {}", target.getClass().getSimpleName(), report.summary());
        LOG.debug("MAE -> {}: {}", target.getClass().getSimpleName(), report);
        return report;
    }

    /**
     * MAE -> ViT classifier: everything by name; {@code pos_embed} keeps its leading
     * {@code extraTokens} rows and has its grid resized when it differs; {@code head.*} of another
     * shape is dropped (the head keeps its init, as {@code main_finetune.py}); the target's
     * {@code fc_norm}/{@code head} end up missing and the decoder unexpected.
     *
     * @throws IllegalArgumentException naming the key and both shapes on a shape mismatch the
     *     options do not allow
     */
    public static TransferReport toClassifier(StateDict mae, Module target, TransferOptions options) {
        StateDict src = unwrap(mae);
        Map<String, Parameter> dst = target.namedTensors();
        TransferReport report = new TransferReport();
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
                if (PosEmbedResize.gridSize(pos, extra) != newGrid) {
                    prepared.put(POS, PosEmbedResize.resize(inScope(pos, scope), extra, newGrid, true));
                }
            }
            load(prepared, dst, options.skippableKeys(), report.load(), src.source());
        }
        LOG.info("MAE -> {}: {}", target.getClass().getSimpleName(), report.summary());
        LOG.debug("MAE -> {}: {}", target.getClass().getSimpleName(), report);
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

    private static NDArray inScope(NDArray a, NDManager scope) {
        NDArray copy = a.toType(DataType.FLOAT32, true);
        copy.attach(scope);
        return copy;
    }

    private static void load(Map<String, NDArray> prepared, Map<String, Parameter> dst, Set<String> skippable,
                             LoadReport report, String source) {
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
