package dev.usp.eval.io;

import dev.usp.core.testing.MutationFuzzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the .npz/.npy reader with mutants of real fixtures (numpy-written): every input is read
 * completely (every array's header and data) or refused with an IOException or
 * IllegalArgumentException that names the file. See {@link MutationFuzzer}.
 */
class NpzFuzzTest {

    private static final Logger LOG = LoggerFactory.getLogger(NpzFuzzTest.class);

    @Test
    void npzReaderOnlyReadsOrRefuses(@TempDir Path dir) throws IOException, URISyntaxException {
        List<byte[]> seeds = new ArrayList<>();
        for (String f : List.of("eval_metrics/dtypes.npz", "eval_metrics/adm_ref_tiny.npz", "eval_cli/torch_out.npz")) {
            seeds.add(Files.readAllBytes(Path.of(NpzFuzzTest.class.getResource("/fixtures/" + f).toURI())));
        }
        MutationFuzzer fuzzer = new MutationFuzzer("npz", seeds, List.of(IOException.class, IllegalArgumentException.class), dir);
        MutationFuzzer.Outcome outcome = fuzzer.run(NpzFuzzTest::readAll,
                MutationFuzzer.regressions(NpzFuzzTest.class, "npz"), 4, MutationFuzzer.budgetSeconds());
        LOG.info("fuzz {}", outcome);
        assertTrue(outcome.findings().isEmpty(), outcome.toString());
    }

    private static void readAll(Path file) throws IOException {
        try (NpzFile npz = NpzFile.open(file)) {
            for (String key : npz.keys()) {
                npz.header(key);
                npz.read(key);
            }
        }
    }
}
