package dev.usp.core.weights;

import ai.djl.ndarray.NDManager;
import dev.usp.core.testing.MutationFuzzer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes the safetensors header parser and the torch.save reader with mutants of the real
 * fixtures ({@link MutationFuzzer}, {@code -Dusp.fuzz.seconds} each, default 15): every input is
 * read completely (all tensors) or refused with an IOException or IllegalArgumentException
 * whose message names the file. Findings kept as regression inputs live in
 * {@code src/test/resources/fuzz/<target>/} and are replayed first.
 */
class WeightFileFuzzTest {

    private static final Logger LOG = LoggerFactory.getLogger(WeightFileFuzzTest.class);
    private static final List<Class<? extends Throwable>> REFUSALS = List.of(IOException.class,
            IllegalArgumentException.class);

    @Test
    void safetensorsReaderOnlyReadsOrRefuses(@TempDir Path dir) throws IOException {
        List<byte[]> seeds = List.of(Files.readAllBytes(WeightFixtures.path("tensors.safetensors")));
        MutationFuzzer fuzzer = new MutationFuzzer("safetensors", seeds, REFUSALS, dir);
        check(fuzzer.run(WeightFileFuzzTest::readAll, regressions("safetensors"), 1, MutationFuzzer.budgetSeconds()));
    }

    @Test
    void torchPickleReaderOnlyReadsOrRefuses(@TempDir Path dir) throws IOException {
        Map<String, byte[]> archive = entries(WeightFixtures.path("checkpoint.pth"));
        List<byte[]> seeds = new ArrayList<>();
        for (String f : List.of("checkpoint.pth", "plain_state_dict.pth", "protocol1.pth", "protocol4.pth")) {
            entries(WeightFixtures.path(f)).entrySet().stream().filter(e -> e.getKey().endsWith("/data.pkl"))
                    .forEach(e -> seeds.add(e.getValue()));
        }
        MutationFuzzer fuzzer = new MutationFuzzer("torch-pickle", seeds, REFUSALS, dir)
                .shapedBy(pickle -> withPickle(archive, pickle));
        check(fuzzer.run(WeightFileFuzzTest::readAll, regressions("torch-pickle"), 2, MutationFuzzer.budgetSeconds()));
    }

    @Test
    void torchZipReaderOnlyReadsOrRefuses(@TempDir Path dir) throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (String f : List.of("checkpoint.pth", "plain_state_dict.pth", "protocol4.pth")) {
            seeds.add(Files.readAllBytes(WeightFixtures.path(f)));
        }
        MutationFuzzer fuzzer = new MutationFuzzer("torch-zip", seeds, REFUSALS, dir);
        check(fuzzer.run(WeightFileFuzzTest::readAll, regressions("torch-zip"), 3, MutationFuzzer.budgetSeconds()));
    }

    private static void check(MutationFuzzer.Outcome outcome) {
        LOG.info("fuzz {}", outcome);
        assertTrue(outcome.findings().isEmpty(), outcome.toString());
    }

    /** Reads the file as the loaders do: the whole tree for torch.save, every tensor for safetensors. */
    private static void readAll(Path file) throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            if (WeightFiles.detect(file) == WeightFiles.Format.SAFETENSORS) {
                SafeTensors.read(file, m).close();
            } else {
                TorchCheckpoint.readTree(file, m);
            }
        }
    }

    private static List<Path> regressions(String target) {
        return MutationFuzzer.regressions(WeightFileFuzzTest.class, target);
    }

    private static Map<String, byte[]> entries(Path file) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                out.put(e.getName(), zip.getInputStream(e).readAllBytes());
            }
        }
        return out;
    }

    private static byte[] withPickle(Map<String, byte[]> archive, byte[] pickle) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : archive.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(e.getKey().endsWith("/data.pkl") ? pickle : e.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
