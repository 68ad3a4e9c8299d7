package dev.usp.core.io;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnfinishedOutputsTest {

    @AfterEach
    void forget() {
        UnfinishedOutputs.removeAll();
    }

    @Test
    void onlyFoldersThisProcessCreatedAndDidNotKeepAreRemoved(@TempDir Path dir) throws Exception {
        Path existing = Files.createDirectories(dir.resolve("existing"));
        UnfinishedOutputs.create(existing);
        Path fresh = UnfinishedOutputs.create(dir.resolve("a/b/fresh"));
        Files.writeString(fresh.resolve("config.yaml"), "x");
        Path kept = UnfinishedOutputs.create(dir.resolve("kept"));
        UnfinishedOutputs.keep(Files.createDirectories(kept.resolve("checkpoints")).resolve("step-1.safetensors"));
        assertEquals(List.of(fresh.toAbsolutePath()), UnfinishedOutputs.pending());
        assertEquals(List.of(fresh.toAbsolutePath()), UnfinishedOutputs.removeAll());
        assertFalse(Files.exists(fresh));
        assertTrue(Files.isDirectory(existing) && Files.isDirectory(kept) && Files.isDirectory(dir.resolve("a/b")));
        assertTrue(UnfinishedOutputs.pending().isEmpty());
    }
}
