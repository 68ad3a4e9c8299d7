package dev.usp.train.cli;

import dev.usp.app.PretrainCommand;
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
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code usp pretrain --config configs/fmnist/pretrain-images.yaml} through a tiny saved random VAE
 * (1 channel in, downsampling 2, 4 latent channels), on an image folder (2 classes x 8 RGB 12x12
 * PNGs, crops of 8 -> 4x4x4 latents) and on 16 Fashion-MNIST-format images (IDX files, padded to
 * 32 -> 16x16x4): each run trains its 4 steps with finite losses and checkpoints the MAE.
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
        pretrain(dir, 1, "latent_size=4", "patch_size=1", "data.dataset=folder", "data.dir=" + images,
                "image_size=8");
    }

    @Test
    void pretrainsFromFashionMnistFilesThroughTheFrozenVae(@TempDir Path dir) throws IOException {
        int n = 16;
        ByteBuffer images = ByteBuffer.allocate(16 + n * 28 * 28).putInt(0x803).putInt(n).putInt(28).putInt(28);
        ByteBuffer labels = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 28 * 28; p++) {
                images.put((byte) ((p % 28) * (i + 3) % 256));
            }
            labels.put((byte) (i % 10));
        }
        Path idx = Files.createDirectories(dir.resolve("fmnist"));
        Files.write(idx.resolve("train-images-idx3-ubyte"), images.array());
        Files.write(idx.resolve("train-labels-idx1-ubyte"), labels.array());
        pretrain(dir, 4, "latent_size=16", "patch_size=4", "data.dir=" + idx);
    }

    /** Saves the VAE, runs 4 steps (batch 8, 2 epochs of 16 images) with the given overrides, checks the run. */
    private static void pretrain(Path dir, int patch, String... overrides) throws IOException {
        Path vaeFile = dir.resolve("vae").resolve(VaeFiles.WEIGHTS);
        Files.createDirectories(vaeFile.getParent());
        Engine.getInstance().setRandomSeed(5);
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = new AutoencoderKL(m.newSubManager(),
                     new VaeConfig(8, List.of(1, 2), 1, Set.of(), Set.of(), 4, true, 1, 1, 8, 4, 0.5))) {
            VaeFiles.save(vae, vaeFile, "custom");
        }
        List<String> args = new ArrayList<>(List.of("--config",
                Path.of("..", "configs", "fmnist", "pretrain-images.yaml").toString(), "--seed", "3"));
        List<String> sets = new ArrayList<>(List.of("model=vit_tiny_patch_vae", "vae=" + vaeFile,
                "batch_size=8", "epochs=2", "optim.warmup_epochs=0.5", "run.dir=" + dir.resolve("runs"),
                "run.name=img", "run.log_every=1"));
        sets.addAll(List.of(overrides));
        for (String s : sets) {
            args.add("--set");
            args.add(s);
        }
        String out = ClsCommandsTest.run(new PretrainCommand(), args.toArray(String[]::new));
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
                long[] shape = sd.get("model.patch_embed.proj.weight").getShape().getShape();   // (D, z, p, p)
                assertEquals(List.of(4L, (long) patch, (long) patch), List.of(shape[1], shape[2], shape[3]));
            }
        }
        assertTrue(Files.readString(runDir.resolve("config.yaml")).contains("source: images"));
    }
}
