package dev.usp.models.transfer;

import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model weights of a pretraining checkpoint in each layout: {'model': sd} .pth, model.* safetensors, bare. */
class PretrainedFilesTest {

    private static final Path DIR = Path.of("src/test/resources/fixtures/transfer");

    @Test
    void modelEntryOrWholeFileInEitherFormat(@TempDir Path dir) throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             StateDict bare = PretrainedFiles.readModel(DIR.resolve("mae_tiny.safetensors"), m);
             StateDict pth = PretrainedFiles.readModel(DIR.resolve("mae_tiny.pth"), m)) {
            Map<String, ai.djl.ndarray.NDArray> wrapped = new LinkedHashMap<>();
            bare.asMap().forEach((k, v) -> wrapped.put("model." + k, v));
            wrapped.put("opt.step", m.zeros(new ai.djl.ndarray.types.Shape(1)));
            Path file = dir.resolve("step.safetensors");
            SafeTensors.write(file, wrapped, Map.of());
            try (StateDict ours = PretrainedFiles.readModel(file, m)) {
                assertEquals(bare.keys(), pth.keys(), "the .pth's 'model' entry (its 'epoch' left out)");
                assertEquals(bare.keys(), ours.keys(), "model.* without the prefix, opt.* left out");
                for (String k : bare.keys()) {
                    assertArrayEquals(bare.get(k).toFloatArray(), pth.get(k).toFloatArray(), k);
                }
            }
        }
    }

    @Test
    void unknownFormatIsNamed(@TempDir Path dir) throws IOException {
        Path junk = Files.write(dir.resolve("mae.bin"), new byte[] {9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
        try (NDManager m = NDManager.newBaseManager()) {
            IOException e = assertThrows(IOException.class, () -> PretrainedFiles.readModel(junk, m));
            assertTrue(e.getMessage().contains("mae.bin") && e.getMessage().contains("not a torch.save file"),
                    e.getMessage());
        }
    }
}
