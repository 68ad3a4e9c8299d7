package dev.usp.core.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    @Test
    void testPauseHoldsTheCompleteTemporaryFileBeforeTheRename(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("step-1.safetensors");
        byte[] content = new byte[100_000];
        Arrays.fill(content, (byte) 7);
        System.setProperty(AtomicFiles.PAUSE_MS_PROPERTY, "2000");
        System.setProperty(AtomicFiles.PAUSE_MATCH_PROPERTY, "step-.*");
        try {
            AtomicFiles.writeString(dir.resolve("last"), "not paused");
            assertEquals(List.of(dir.resolve("last")), list(dir), "a name the pattern does not match is not paused");
            Thread writer = new Thread(() -> {
                try {
                    AtomicFiles.write(target, out -> out.write(content));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            writer.start();
            Path tmp = null;
            while (tmp == null && writer.isAlive()) {
                tmp = list(dir).stream().filter(p -> p.toString().endsWith(".tmp")).findFirst().orElse(null);
                Thread.sleep(10);
            }
            assertTrue(tmp != null, "the temporary file was never seen");
            assertFalse(Files.exists(target), "renamed before the pause ended");
            writer.join();
            assertArrayEquals(content, Files.readAllBytes(target));
            assertFalse(Files.exists(tmp));
        } finally {
            System.clearProperty(AtomicFiles.PAUSE_MS_PROPERTY);
            System.clearProperty(AtomicFiles.PAUSE_MATCH_PROPERTY);
        }
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
