package dev.usp.models.transfer;

import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.core.weights.TorchCheckpoint;
import dev.usp.core.weights.WeightFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Reads the model weights of a pretraining checkpoint, parsing the file once. */
public final class PretrainedFiles {

    private static final String MODEL = "model";

    private PretrainedFiles() {
    }

    /**
     * The {@code model} entry of a pretraining checkpoint (this project's safetensors with
     * {@code model.*} tensors, or an official {@code checkpoint-*.pth}), or the whole file when it
     * has none (a bare state dict). The state dict is owned by a sub-manager of {@code manager}.
     *
     * @throws IOException naming the file when it is neither safetensors nor torch.save, or is damaged
     * @throws IllegalArgumentException naming the file and its keys when it holds no state dict
     */
    public static StateDict readModel(Path file, NDManager manager) throws IOException {
        if (WeightFiles.detect(file) == WeightFiles.Format.SAFETENSORS) {
            boolean wrapped = SafeTensors.readHeader(file).tensors().keySet().stream()
                    .anyMatch(k -> k.startsWith(MODEL + "."));
            return WeightFiles.readStateDict(file, wrapped ? MODEL : null, manager);
        }
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(file)) {
            boolean wrapped = ckpt.root() instanceof Map<?, ?> root && root.get(MODEL) instanceof Map<?, ?>;
            return ckpt.stateDict(wrapped ? MODEL : null, manager);
        }
    }
}
