package dev.usp.eval.cli;

import dev.usp.app.UspCli;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs {@link UspCli#run} with stdout and stderr captured; locates the eval_cli fixtures. */
record CliRun(int rc, String out, String err) {

    static CliRun run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int rc;
        try {
            rc = UspCli.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new CliRun(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A file of usp-eval's src/test/resources/fixtures/eval_cli/ (written by scripts/fixtures/eval_cli.py). */
    static Path fixture(String name) {
        Path file = Path.of("../usp-eval/src/test/resources/fixtures/eval_cli", name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("missing fixture " + file + "; run scripts/fixtures/eval_cli.py");
        }
        return file;
    }

    /** The fixture script's expected.json. */
    static JsonObject expected() throws IOException {
        return JsonParser.parseString(Files.readString(fixture("expected.json"))).getAsJsonObject();
    }

    static JsonObject json(Path file) throws IOException {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    @Override
    public String toString() {
        return "rc " + rc + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
}
