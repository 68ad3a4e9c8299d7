package dev.usp.core.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import static dev.usp.core.weights.WeightFixtures.assertStateDict;
import static dev.usp.core.weights.WeightFixtures.expected;
import static dev.usp.core.weights.WeightFixtures.path;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TorchCheckpointTest {

    private static final Path CKPT = path("checkpoint.pth");

    @Test
    void modelAndEmaMatchPyTorchExactly() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            int before = m.getManagedArrays().size();
            try (StateDict model = TorchCheckpoint.selectStateDict(CKPT, "model", m);
                 StateDict ema = TorchCheckpoint.selectStateDict(CKPT, "ema", m)) {
                assertStateDict(expected("checkpoint.pth", "model"), model);
                assertStateDict(expected("checkpoint.pth", "ema"), ema);
            }
            assertEquals(before, m.getManagedArrays().size(), "closing the state dicts releases their arrays");
        }
    }

    @Test
    void treeKeepsScalarsNamespaceAndNestedContainers() throws IOException {
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(CKPT)) {
            assertEquals(List.of("model", "ema", "epoch", "args", "optimizer", "scaler", "history"), ckpt.keys());
            Map<?, ?> root = (Map<?, ?>) ckpt.root();
            assertEquals(3, root.get("epoch"));
            assertEquals(Collections.singletonMap("scale", null), root.get("scaler"));
            assertEquals(Collections.singletonList(null), root.get("history"));
            PyObject args = assertInstanceOf(PyObject.class, root.get("args"));
            assertEquals("argparse.Namespace", args.className());
            assertEquals("vit_tiny", args.get("model"));
            assertEquals(1.5e-4, args.get("lr"));
            assertEquals(List.of(224, 256), args.get("sizes"));
            assertEquals(true, args.get("norm_pix_loss"));
            assertEquals(null, args.get("resume"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> args.get("epochs"));
            assertTrue(e.getMessage().contains("epochs") && e.getMessage().contains("norm_pix_loss"), e.getMessage());

            Map<?, ?> optimizer = (Map<?, ?>) root.get("optimizer");
            Map<?, ?> state0 = (Map<?, ?>) ((Map<?, ?>) optimizer.get("state")).get(0);
            assertEquals(10, state0.get("step"));
            TensorRef expAvg = assertInstanceOf(TensorRef.class, state0.get("exp_avg"));
            assertEquals("float32", expAvg.dtype());
            Map<?, ?> group = (Map<?, ?>) ((List<?>) optimizer.get("param_groups")).get(0);
            assertEquals(List.of(0.9, 0.95), group.get("betas"));
            assertEquals(List.of(0, 1), group.get("params"));
        }
    }

    @Test
    void refsDescribeViewsWithoutReadingData() throws IOException {
        try (TorchCheckpoint ckpt = TorchCheckpoint.open(CKPT)) {
            Map<?, ?> model = (Map<?, ?>) ((Map<?, ?>) ckpt.root()).get("model");
            Map<?, ?> ema = (Map<?, ?>) ((Map<?, ?>) ckpt.root()).get("ema");
            TensorRef transposed = (TensorRef) model.get("transposed");
            assertFalse(transposed.isContiguous());
            assertArrayEquals(new long[] {1, 4}, transposed.stride());
            TensorRef view = (TensorRef) model.get("view");
            TensorRef base = (TensorRef) model.get("base");
            assertEquals(5, view.storageOffset());
            assertEquals(base.storageKey(), view.storageKey());
            assertEquals(base.storageKey(), ((TensorRef) ema.get("shared")).storageKey());
            assertEquals(3, ((TensorRef) model.get("strided")).stride()[0]);
            assertEquals("bfloat16", ((TensorRef) model.get("bf16")).dtype());
            assertEquals("int16", ((TensorRef) model.get("i16")).dtype());
            assertEquals(0, ((TensorRef) model.get("scalar")).shape().dimension());
        }
    }

    @Test
    void readTreeMaterialisesEveryTensorAndSharesRepeatedOnes() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            Map<?, ?> root = (Map<?, ?>) TorchCheckpoint.readTree(CKPT, m);
            Map<?, ?> model = (Map<?, ?>) root.get("model");
            WeightFixtures.assertTensor("view", expected("checkpoint.pth", "model").getAsJsonObject("view"),
                    (NDArray) model.get("view"));
            Map<?, ?> state0 = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) root.get("optimizer")).get("state")).get(0);
            assertArrayEquals(new float[] {1, 1}, ((NDArray) state0.get("exp_avg")).toFloatArray());
            assertEquals("argparse.Namespace", ((PyObject) root.get("args")).className());
        }
    }

    @Test
    void topLevelStateDictNeedsNoKey() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             StateDict sd = TorchCheckpoint.selectStateDict(path("plain_state_dict.pth"), null, m)) {
            assertStateDict(expected("plain_state_dict.pth"), sd);
        }
    }

    @Test
    void missingOrWrongKeyNamesFileAndKeys() {
        try (NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TorchCheckpoint.selectStateDict(CKPT, "state_dict", m));
            assertTrue(e.getMessage().contains("checkpoint.pth") && e.getMessage().contains("'state_dict'")
                    && e.getMessage().contains("[model, ema, epoch, args, optimizer, scaler, history]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> TorchCheckpoint.selectStateDict(CKPT, "epoch", m));
            assertTrue(e.getMessage().contains("'epoch' is a Integer, not a state dict"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> TorchCheckpoint.selectStateDict(CKPT, null, m));
            assertTrue(e.getMessage().contains("not a state dict") && e.getMessage().contains("model"), e.getMessage());
            assertEquals(0, m.getManagedArrays().size());
        }
    }

    @Test
    void legacyFormatAsksForResave() {
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.open(path("legacy.pth")));
        assertTrue(e.getMessage().contains("legacy.pth") && e.getMessage().contains("re-save"), e.getMessage());
    }

    @Test
    void damagedFilesFailWithTheFileName(@TempDir Path dir) throws IOException {
        byte[] bytes = Files.readAllBytes(CKPT);
        Path truncated = Files.write(dir.resolve("truncated.pth"), Arrays.copyOf(bytes, bytes.length / 2));
        IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.open(truncated));
        assertTrue(e.getMessage().contains("truncated.pth") && e.getMessage().contains("truncated"), e.getMessage());

        byte[] noise = new byte[4096];
        new Random(1).nextBytes(noise);
        noise[0] = 'x';
        Path random = Files.write(dir.resolve("random.pth"), noise);
        e = assertThrows(IOException.class, () -> TorchCheckpoint.open(random));
        assertTrue(e.getMessage().contains("random.pth") && e.getMessage().contains("not a torch.save file"),
                e.getMessage());
    }

    @Test
    void weightFilesSniffsFormatNotExtension(@TempDir Path dir) throws IOException {
        Path ckpt = Files.copy(CKPT, dir.resolve("weights.safetensors"));
        Path safe = Files.copy(path("tensors.safetensors"), dir.resolve("model.bin"));
        assertEquals(WeightFiles.Format.TORCH_ZIP, WeightFiles.detect(ckpt));
        assertEquals(WeightFiles.Format.SAFETENSORS, WeightFiles.detect(safe));
        assertEquals(WeightFiles.Format.TORCH_LEGACY, WeightFiles.detect(path("legacy.pth")));
        try (NDManager m = NDManager.newBaseManager()) {
            try (StateDict sd = WeightFiles.readStateDict(ckpt, "ema", m)) {
                assertStateDict(expected("checkpoint.pth", "ema"), sd);
            }
            try (StateDict sd = WeightFiles.readStateDict(safe, null, m)) {
                assertStateDict(expected("tensors.safetensors"), sd);
            }
            try (StateDict sd = WeightFiles.readStateDict(safe, "a", m)) {
                assertEquals(List.of("f32"), List.copyOf(sd.keys()));
                WeightFixtures.assertTensor("a.f32", expected("tensors.safetensors").getAsJsonObject("a.f32"),
                        sd.get("f32"));
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WeightFiles.readStateDict(safe, "model", m));
            assertTrue(e.getMessage().contains("model.bin") && e.getMessage().contains("'model'")
                    && e.getMessage().contains("a, b, c, d"), e.getMessage());
            Path text = Files.writeString(dir.resolve("notes.pth"), "hello");
            IOException io = assertThrows(IOException.class, () -> WeightFiles.readStateDict(text, null, m));
            assertTrue(io.getMessage().contains("notes.pth") && io.getMessage().contains("unknown weight format"));
        }
    }

    @Test
    void sameTensorTwiceGivesOneArray() throws IOException {
        try (NDManager m = NDManager.newBaseManager(); TorchCheckpoint ckpt = TorchCheckpoint.open(CKPT)) {
            TensorRef ref = (TensorRef) ((Map<?, ?>) ((Map<?, ?>) ckpt.root()).get("model")).get("f32");
            List<?> out = (List<?>) ckpt.materialize(List.of(ref, ref), m);
            assertSame(out.get(0), out.get(1));
        }
    }

    @Test
    void otherPickleProtocolsReadTheSame() throws IOException {
        for (String name : List.of("protocol1.pth", "protocol4.pth")) {
            try (NDManager m = NDManager.newBaseManager(); TorchCheckpoint ckpt = TorchCheckpoint.open(path(name));
                 StateDict sd = ckpt.stateDict("model", m)) {
                assertStateDict(expected("protocols"), sd);
                PyObject args = (PyObject) ((Map<?, ?>) ckpt.root()).get("args");
                assertEquals("argparse.Namespace", args.className(), name);
                assertEquals(1.5e-4, args.get("lr"), name);
            }
        }
    }

    @Test
    void damagedStoragesNameTensorAndEntry(@TempDir Path dir) throws IOException {
        Path damaged = dir.resolve("damaged.pth");
        // Rewritten with DEFLATED entries, so this also reads compressed storages.
        try (ZipFile in = new ZipFile(CKPT.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(damaged))) {
            for (ZipEntry e : Collections.list(in.entries())) {
                byte[] data = in.getInputStream(e).readAllBytes();
                if (e.getName().equals("checkpoint/data/1")) {
                    continue;
                }
                out.putNextEntry(new ZipEntry(e.getName()));
                out.write(e.getName().equals("checkpoint/data/0") ? Arrays.copyOf(data, data.length / 2) : data);
                out.closeEntry();
            }
        }
        try (NDManager m = NDManager.newBaseManager(); TorchCheckpoint ckpt = TorchCheckpoint.open(damaged)) {
            Map<?, ?> model = (Map<?, ?>) ((Map<?, ?>) ckpt.root()).get("model");
            IOException e = assertThrows(IOException.class, () -> ckpt.materialize(model.get("f32"), m));
            assertTrue(e.getMessage().contains("damaged.pth") && e.getMessage().contains("checkpoint/data/0")
                    && e.getMessage().contains("12 bytes"), e.getMessage());
            e = assertThrows(IOException.class, () -> ckpt.stateDict("model", m));
            assertTrue(e.getMessage().contains("tensor 'f32'"), e.getMessage());
            e = assertThrows(IOException.class, () -> ckpt.materialize(model.get("f16"), m));
            assertTrue(e.getMessage().contains("checkpoint/data/1' is missing"), e.getMessage());
            WeightFixtures.assertTensor("strided", expected("checkpoint.pth", "model").getAsJsonObject("strided"),
                    (NDArray) ckpt.materialize(model.get("strided"), m));
        }
    }
}
