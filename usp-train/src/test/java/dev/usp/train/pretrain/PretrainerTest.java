package dev.usp.train.pretrain;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.train.data.LatentBatches;
import dev.usp.train.data.LatentSource;
import dev.usp.train.loop.MetricsLog;
import dev.usp.train.tensorboard.EventReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PretrainerTest {

    private static final List<Device> CPU = List.of(Device.cpu());

    /** Eight fixed latents (4x4x4) with a smooth structure; batch i cycles through them. */
    private static final class FixedLatents implements LatentSource {
        private final float[] data;

        FixedLatents() {
            data = new float[8 * 4 * 4 * 4];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) Math.sin(0.37 * i) + (float) Math.cos(0.11 * (i % 16));
            }
        }

        @Override
        public LatentBatches.Batch batch(long index, NDManager m) {
            NDArray x = m.create(data, new Shape(8, 4, 4, 4));
            return new LatentBatches.Batch(x, m.zeros(new Shape(8), ai.djl.ndarray.types.DataType.INT64), 8);
        }

        @Override
        public int batchesPerEpoch() {
            return 10;
        }

        @Override
        public int batchSize() {
            return 8;
        }
    }

    private static PretrainConfig tinyConfig(Path runs, String name, double epochs, long checkpointEvery) {
        return ConfigLoader.load(PretrainConfig.class, null, List.of(
                "model=vit_tiny_patch_vae", "latent_size=4", "patch_size=1",
                "batch_size=8", "optim.lr=2e-3", "optim.warmup_epochs=0.2", "epochs=" + epochs,
                "optim.weight_decay=0.0",
                "run.dir=" + runs, "run.name=" + name, "run.log_every=1", "run.checkpoint_every=" + checkpointEvery));
    }

    /** The logged losses in step order. */
    private static double[] losses(Path runDir) throws IOException {
        double[][] xy = MetricsLog.column(MetricsLog.read(runDir.resolve("metrics.jsonl")), "loss");
        return xy[1];
    }

    @Test
    void lossFallsOnAFixedBatchAndTheCheckpointHoldsTheModel(@TempDir Path tmp) throws IOException {
        try (NDManager root = NDManager.newBaseManager()) {
            Pretrainer.Result r = Pretrainer.run(tinyConfig(tmp, "fit", 2, 0), 7, false, new FixedLatents(), CPU);
            assertEquals(20, r.steps());
            double[] loss = losses(r.runDir());
            double first = loss[0];
            double last = loss[loss.length - 1];
            assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
            // TensorBoard as MAE's engine_pretrain: train_loss and lr against epoch_1000x (10 steps per epoch)
            List<EventReader.Event> tb = EventReader.readDir(r.runDir()).stream()
                    .filter(e -> "train_loss".equals(e.tag())).toList();
            assertEquals(loss.length, tb.size());
            for (int i = 0; i < loss.length; i++) {
                assertEquals(100L * i, tb.get(i).step());
                assertEquals((float) loss[i], tb.get(i).value());
            }
            assertEquals(loss.length, EventReader.readDir(r.runDir()).stream().filter(e -> "lr".equals(e.tag())).count());
            try (StateDict sd = SafeTensors.read(r.checkpoint(), root)) {
                assertTrue(sd.contains("model.blocks.0.attn.qkv.weight"));
                assertTrue(sd.contains("model.decoder_pred.weight"));
                assertTrue(sd.contains("optimizer.blocks.0.attn.qkv.weight.exp_avg"));
            }
        }
    }

    @Test
    void trainsDataParallelOverTwoReplicas(@TempDir Path tmp) throws IOException {
        Pretrainer.Result r = Pretrainer.run(tinyConfig(tmp, "dp", 2, 0), 7, false, new FixedLatents(),
                List.of(Device.cpu(), Device.cpu()));
        double[] loss = losses(r.runDir());
        assertTrue(loss[loss.length - 1] < 0.5 * loss[0], loss[0] + " -> " + loss[loss.length - 1]);
    }

    @Test
    void resumeGivesTheSameParametersAsOneRun(@TempDir Path tmp) throws IOException {
        try (NDManager root = NDManager.newBaseManager()) {
            Pretrainer.Result whole = Pretrainer.run(tinyConfig(tmp, "whole", 1.0, 0), 3, false, new FixedLatents(), CPU);
            // 5 steps then stop: same config but half the epochs would change the cosine; instead
            // checkpoint every 5 steps, delete the final checkpoint, and resume.
            Pretrainer.Result first = Pretrainer.run(tinyConfig(tmp, "split", 1.0, 5), 3, false, new FixedLatents(), CPU);
            Path checkpoints = first.runDir().resolve("checkpoints");
            try (Stream<Path> files = Files.list(checkpoints)) {
                for (Path f : files.toList()) {
                    if (!f.getFileName().toString().contains("000000005")) {
                        Files.delete(f);
                    }
                }
            }
            Pretrainer.Result resumed = Pretrainer.run(tinyConfig(tmp, "split", 1.0, 5), 3, true, new FixedLatents(), CPU);
            assertEquals(10, resumed.steps());
            try (StateDict a = SafeTensors.read(whole.checkpoint(), root);
                 StateDict b = SafeTensors.read(resumed.checkpoint(), root)) {
                for (Map.Entry<String, NDArray> e : a.asMap().entrySet()) {
                    assertArrayEquals(e.getValue().toByteArray(), b.get(e.getKey()).toByteArray(), e.getKey());
                }
            }
        }
    }

    @Test
    void everyShippedConfigLoads() throws IOException {
        Path configs = Path.of("..", "configs");
        try (Stream<Path> files = Files.walk(configs)) {
            List<Path> pretrain = files.filter(f -> f.getFileName().toString().startsWith("pretrain")).toList();
            assertTrue(pretrain.size() >= 7, pretrain.toString());
            for (Path f : pretrain) {
                PretrainConfig cfg = ConfigLoader.load(PretrainConfig.class, f, List.of());
                assertEquals(0.75, cfg.maskRatio(), f.toString());
                assertTrue(cfg.normPixLoss(), f.toString());
            }
        }
    }
}
