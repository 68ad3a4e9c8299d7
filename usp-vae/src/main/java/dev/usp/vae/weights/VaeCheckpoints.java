package dev.usp.vae.weights;

import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.StateDict;
import dev.usp.core.weights.TensorRef;
import dev.usp.core.weights.TorchCheckpoint;
import dev.usp.core.weights.WeightFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads the state dict of a VAE weight file in any of the layouts authors publish: safetensors,
 * a torch.save file that is itself a state dict, or one that wraps it in a single {@code model},
 * {@code state_dict} or {@code ema} entry (MAR's {@code kl16.ckpt} is {@code {'model': ...}},
 * latent-diffusion checkpoints {@code {'state_dict': ..., 'global_step': ...}}).
 */
public final class VaeCheckpoints {

    /** The entries that may wrap a VAE's state dict, in the order an error lists them. */
    public static final List<String> WRAPPERS = List.of("model", "state_dict", "ema");

    private static final Logger LOG = LoggerFactory.getLogger(VaeCheckpoints.class);

    private VaeCheckpoints() {
    }

    /**
     * Reads the weights of {@code file} (parsed once) into a state dict owned by a sub-manager of
     * {@code manager}.
     *
     * @param keyOrNull the entry holding the weights (a torch.save key, or a safetensors name
     *     prefix), or null for the whole file or its single wrapping entry
     * @throws IOException naming the file when it is neither safetensors nor torch.save, or is damaged
     * @throws IllegalArgumentException naming the file, the keys present and {@code --vae-key} when
     *     the entry is absent, or none or several of {@link #WRAPPERS} hold a state dict
     */
    public static StateDict read(Path file, String keyOrNull, NDManager manager) throws IOException {
        WeightFiles.Format format = WeightFiles.detect(file);
        if (format == WeightFiles.Format.SAFETENSORS) {
            return WeightFiles.readStateDict(file, keyOrNull, manager);
        }
        if (format == WeightFiles.Format.UNKNOWN) {
            throw new IOException(file + ": not a VAE weight file: neither safetensors nor torch.save (.ckpt, .pt, "
                    + ".pth, .bin)");
        }
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
            return ckpt.stateDict(keyOrNull != null ? keyOrNull : entryOf(ckpt), manager);
        }
    }

    /** The top-level key holding the state dict, or null when the top level is one. */
    private static String entryOf(TorchCheckpoint ckpt) {
        if (ckpt.isStateDict()) {
            return null;
        }
        if (!(ckpt.root() instanceof Map<?, ?> root) || root.isEmpty()) {
            throw new IllegalArgumentException(ckpt.file() + ": the top level is not a dict of weights; give the "
                    + "entry with --vae-key");
        }
        List<String> found = WRAPPERS.stream().filter(k -> holdsTensors(root.get(k))).toList();
        if (found.size() == 1) {
            LOG.info("{}: reading the VAE weights under '{}' (keys present: {})", ckpt.file(), found.get(0),
                    ckpt.keys());
            return found.get(0);
        }
        throw new IllegalArgumentException(ckpt.file() + ": the top level is not a state dict and "
                + (found.isEmpty() ? "none of " + WRAPPERS + " holds one" : "several entries hold one: " + found)
                + " (keys present: " + ckpt.keys() + "); choose the entry with --vae-key");
    }

    private static boolean holdsTensors(Object value) {
        return value instanceof Map<?, ?> dict && dict.values().stream().anyMatch(v -> v instanceof TensorRef);
    }
}
