package dev.usp.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AtomicFilesTest {

    @Test
    void failureHalfwayKeepsOldFileAndLeavesNoTempFiles(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("ckpt.safetensors");
        AtomicFiles.writeString(target, "old content");
        byte[] half = new byte[3 << 20];
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(half);
            throw new IOException("disk full (simulated)");
        }));
        assertEquals("disk full (simulated)", e.getMessage());
        assertEquals("old content", Files.readString(target));
        assertEquals(List.of(target), list(dir));

        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(dir.resolve("new.bin"), out -> {
            out.write(half, 0, 1000);
            throw new IllegalStateException("bug in writer");
        }));
        assertEquals(List.of(target), list(dir), "a failed first write creates nothing");
    }

    @Test
    void successReplacesContentKeepsPermissionsAndToleratesClose(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("sub/config.yaml");
        AtomicFiles.writeString(target, "a: 1\n");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
        AtomicFiles.write(target, out -> {
            out.write("b: 2\n".getBytes());
            out.close();
        });
        assertEquals("b: 2\n", Files.readString(target));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals(List.of(target), list(target.getParent()));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
