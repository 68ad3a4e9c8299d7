package dev.usp.train.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.SafeTensors;
import dev.usp.core.weights.StateDict;
import dev.usp.train.loop.MetricsLog;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;
import dev.usp.vae.weights.VaeFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code usp pretrain --config configs/fmnist/pretrain-images.yaml} on an image folder (2 classes
 * x 8 RGB 12x12 PNGs) through a tiny saved VAE (8x8x1 -> 4x4x4): the run trains its 4 steps with
 * finite losses and writes a checkpoint holding the MAE.
 */
class PretrainImagesCommandTest {

    @Test
    void pretrainsFromAnImageFolderThroughTheFrozenVae(@TempDir Path dir) throws IOException {
        Path images = dir.resolve("images");
        for (int c = 0; c < 2; c++) {
            Files.createDirectories(images.resolve("class" + c));
            for (int i = 0; i < 8; i++) {
                BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < 12; y++) {
                    for (int x = 0; x < 12; x++) {
                        int v = (c == 0 ? 20 * x : 20 * y) % 256;
                        img.setRGB(x, y, (v << 16) | ((v + 13 * i) % 256 << 8) | (255 - v));
                    }
                }
                ImageIO.write(img, "png", images.resolve("class" + c).resolve(i + ".png").toFile());
            }
        }
        Path vaeFile = dir.resolve("vae").resolve(VaeFiles.WEIGHTS);
        Files.createDirectories(vaeFile.getParent());
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = new AutoencoderKL(m.newSubManager(),
                     new VaeConfig(8, List.of(1, 2), 1, Set.of(), Set.of(), 4, true, 1, 1, 8, 4, 0.5))) {
            VaeFiles.save(vae, vaeFile, "custom");
        }

        String out = ClsCommandsTest.run(new PretrainCommand(), "--config", Path.of("..", "configs", "fmnist", "pretrain-images.yaml").toString(),
                "--seed", "3", "--set", "model=vit_tiny_patch_vae", "--set", "latent_size=4", "--set", "patch_size=1",
                "--set", "data.dataset=folder", "--set", "data.data_dir=" + images, "--set", "data.image_size=8",
                "--set", "data.vae=" + vaeFile, "--set", "optim.batch_size=8", "--set", "optim.epochs=2",
                "--set", "optim.warmup_epochs=0.5", "--set", "run.dir=" + dir.resolve("runs"),
                "--set", "run.name=img", "--set", "run.log_every=1");
        assertTrue(out.contains("pretraining finished: 4 steps"), out);
        Path runDir = dir.resolve("runs/img");
        double[] loss = MetricsLog.column(MetricsLog.read(runDir.resolve("metrics.jsonl")), "loss")[1];
        assertEquals(4, loss.length);
        for (double l : loss) {
            assertTrue(Double.isFinite(l) && l > 0, "loss " + l);
        }
        try (Stream<Path> files = Files.list(runDir.resolve("checkpoints"));
             NDManager m = NDManager.newBaseManager()) {
            Path last = files.filter(f -> f.toString().endsWith(".safetensors")).sorted().reduce((a, b) -> b)
                    .orElseThrow();
            try (StateDict sd = SafeTensors.read(last, m)) {
                long[] patch = sd.get("model.patch_embed.proj.weight").getShape().getShape();   // (D, z, p, p)
                assertEquals(List.of(4L, 1L, 1L), List.of(patch[1], patch[2], patch[3]));
            }
        }
        assertTrue(Files.readString(runDir.resolve("config.yaml")).contains("source: images"));
    }
}
