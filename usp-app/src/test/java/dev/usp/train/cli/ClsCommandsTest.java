package dev.usp.train.cli;

import dev.usp.app.FinetuneClsCommand;
import dev.usp.app.LinprobeCommand;
import dev.usp.train.cls.AccuracyHistory;
import dev.usp.train.cls.SyntheticCaches;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code usp linprobe} and {@code usp finetune-cls} on a tiny synthetic cache, through picocli. */
class ClsCommandsTest {

    private static String[] args(Path dir, String config, String name, String... extra) {
        String[] base = {"--config", Path.of("..", "configs", "fmnist", config).toString(), "--seed", "3",
            "--set", "data.train=" + dir.resolve("train"), "--set", "data.val=" + dir.resolve("test"),
            "--set", "num_classes=4", "--set", "eval_batch_size=16", "--set", "model.skip_depth=3",
            "--set", "batch_size=16", "--set", "epochs=1", "--set", "optim.warmup_epochs=0.5",
            "--set", "run.dir=" + dir.resolve("runs"), "--set", "run.name=" + name, "--set", "run.log_every=1"};
        String[] out = new String[base.length + extra.length];
        System.arraycopy(base, 0, out, 0, base.length);
        System.arraycopy(extra, 0, out, base.length, extra.length);
        return out;
    }

    /** Runs a picocli command, asserts exit status 0, and returns what it printed. */
    static String run(Object command, String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, new CommandLine(command).execute(args), "exit status");
        } finally {
            System.setOut(old);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void commandsTrainEvaluateAndResume(@TempDir Path dir) throws IOException {
        SyntheticCaches.write(dir.resolve("train"), 32, 4, 7, 1, 0.3);
        SyntheticCaches.write(dir.resolve("test"), 16, 4, 7, 2, 0.3);
        String probe = run(new LinprobeCommand(), args(dir, "linprobe.yaml", "lp"));
        assertTrue(probe.contains("best top-1"), probe);
        Path lp = dir.resolve("runs/lp");
        assertTrue(Files.isRegularFile(lp.resolve(AccuracyHistory.PLOT)));
        assertTrue(Files.readString(lp.resolve("config.yaml")).contains("precompute_features: true"));
        // a resumed run with more epochs continues from step 2 and evaluates again at step 4
        run(new LinprobeCommand(), args(dir, "linprobe.yaml", "lp", "--set", "epochs=2", "--resume"));
        assertEquals(2, AccuracyHistory.open(lp).entries().size());
        assertEquals(4, AccuracyHistory.open(lp).last().step());

        String ft = run(new FinetuneClsCommand(), args(dir, "finetune.yaml", "ft"));
        assertTrue(ft.contains("best top-1"), ft);
        assertEquals(2, AccuracyHistory.open(dir.resolve("runs/ft")).last().step());
    }
}
