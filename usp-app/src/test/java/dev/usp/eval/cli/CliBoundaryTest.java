package dev.usp.eval.cli;

import dev.usp.app.UspCli;
import dev.usp.core.io.UnfinishedOutputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI root: whatever a command throws becomes one line on stderr, status 1, and no unfinished folder. */
class CliBoundaryTest {

    /** A command that throws what it is given. */
    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        private final Throwable toThrow;

        Boom(Throwable toThrow) {
            this.toThrow = toThrow;
        }

        @Override
        public Integer call() throws Exception {
            if (toThrow instanceof Exception e) {
                throw e;
            }
            throw (Error) toThrow;
        }
    }

    @Test
    void jvmErrorsBecomeOneLineAndStatusOne() {
        String[] err = new String[1];
        int rc = captureErr(err, () -> UspCli.run(new CommandLine(new Boom(new OutOfMemoryError("Java heap space")))));
        assertEquals(1, rc);
        assertTrue(err[0].startsWith("error: out of memory (Java heap space)") && err[0].contains("-Xmx"), err[0]);
        assertEquals(1, err[0].strip().lines().count(), err[0]);
        rc = captureErr(err, () -> UspCli.run(new CommandLine(new Boom(new StackOverflowError()))));
        assertEquals(1, rc);
        assertTrue(err[0].startsWith("error: stack overflow"), err[0]);
        rc = captureErr(err, () -> UspCli.run(new CommandLine(new Boom(
                new IllegalStateException(null, new java.io.IOException("weights.pth: truncated\nat byte 9"))))));
        assertEquals(1, rc);
        assertEquals("error: IllegalStateException: weights.pth: truncated at byte 9", err[0].strip());
    }

    @Test
    void failedCommandRemovesTheFoldersItLeftUnfinished(@TempDir Path dir) throws Exception {
        Path unfinished = UnfinishedOutputs.create(dir.resolve("runs/new-run"));
        Files.writeString(unfinished.resolve("config.yaml"), "seed: 0\n");
        Path kept = UnfinishedOutputs.create(dir.resolve("runs/kept-run"));
        UnfinishedOutputs.keep(Files.writeString(kept.resolve("step-1.safetensors"), "x"));
        String[] err = new String[1];
        int rc = captureErr(err, () -> UspCli.run(new CommandLine(new Boom(new IllegalArgumentException("bad")))));
        assertEquals(1, rc);
        assertFalse(Files.exists(unfinished), "the unfinished run folder is removed");
        assertTrue(Files.exists(kept.resolve("step-1.safetensors")), "a folder with a checkpoint stays");
        assertTrue(err[0].contains("bad (removed the unfinished " + unfinished.toAbsolutePath()), err[0]);
    }

    @Test
    void hostileWeightFileIsOneLineNamingFileAndLimit(@TempDir Path dir) throws Exception {
        String json = "{\"__metadata__\":{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        Path vae = dir.resolve("deep.safetensors");
        Files.write(vae, ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).array());
        Path out = dir.resolve("cache");
        String[] err = new String[1];
        int rc = captureErr(err, () -> UspCli.run("encode", "--vae", vae.toString(), "--vae-preset", "fmnist-tiny",
                "--out", out.toString()));
        assertEquals(1, rc);
        assertEquals(1, err[0].strip().lines().filter(l -> l.startsWith("error:")).count(), err[0]);
        assertTrue(err[0].contains("deep.safetensors") && err[0].contains("Nesting limit 64"), err[0]);
        assertFalse(Files.exists(out.resolve("cache-spec.json")), "no cache spec is left behind");
    }

    private static int captureErr(String[] into, IntSupplier run) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return run.getAsInt();
        } finally {
            System.setErr(old);
            into[0] = buf.toString(StandardCharsets.UTF_8);
        }
    }
}
