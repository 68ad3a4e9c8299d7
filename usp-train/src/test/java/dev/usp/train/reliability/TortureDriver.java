package dev.usp.train.reliability;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.data.FashionMnist;
import dev.usp.core.data.Pad;
import dev.usp.core.data.ToChannels;
import dev.usp.core.data.Transform;
import dev.usp.eval.fdnet.FdNetConfig;
import dev.usp.train.fdnet.FdNetTrainer;
import dev.usp.train.cls.ClassifierFinetune;
import dev.usp.train.cls.FinetuneConfig;
import dev.usp.train.cls.LinearProbe;
import dev.usp.train.cls.LinprobeConfig;
import dev.usp.train.dit.GeneratorTrainConfig;
import dev.usp.train.dit.GeneratorTrainer;
import dev.usp.train.loop.RunDir;
import dev.usp.train.loop.TrainingLoop;
import dev.usp.train.pretrain.PretrainConfig;
import dev.usp.train.pretrain.Pretrainer;
import dev.usp.train.vae.VaeTrainConfig;
import dev.usp.train.vae.VaeTrainer;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.cache.DatasetImages;
import dev.usp.vae.cache.LatentCacheWriter;
import dev.usp.vae.weights.VaeFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run by {@link TrainersUnderTortureTest} in a forked JVM: every trainer of the project, one after
 * the other, at toy size on real Fashion-MNIST (VAE, FD-FMNIST net, MAE pretraining on the VAE's
 * latents, SiT and DiT from the MAE checkpoint, linear probe, classifier fine-tune), each at least
 * 30 optimiser steps, each with its step digests ({@link TrainingLoop#DIGESTS_PROPERTY}) in
 * {@code <work>/digests/<trainer>.txt}. With {@code --torture} a daemon thread calls
 * {@code System.gc()} every millisecond for the whole run.
 */
public final class TortureDriver {

    /** The trainers in the order they run; each writes {@code digests/<name>.txt}. */
    public static final List<String> TRAINERS = List.of("vae", "fdnet", "pretrain", "sit", "dit", "linprobe",
            "finetune");

    private static final Path CONFIGS = Path.of("../configs/fmnist");
    private static final int IMAGES = 512;
    private static final long SEED = 3;

    private final Path work;
    private final List<Device> cpu = List.of(Device.cpu());

    private TortureDriver(Path work) {
        this.work = work;
    }

    /** Args: the work folder, then {@code --torture} to collect garbage continuously. */
    public static void main(String[] args) throws IOException {
        if (args.length > 1 && args[1].equals("--torture")) {
            Thread gc = new Thread(() -> {
                while (true) {
                    System.gc();
                    try {
                        Thread.sleep(1);   // leaves the training thread a core; still hundreds of collections a second
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "torture-gc");
            gc.setDaemon(true);
            gc.start();
        }
        new TortureDriver(Path.of(args[0])).runAll();
        System.out.println("torture driver done");
    }

    private void runAll() throws IOException {
        Files.createDirectories(work.resolve("digests"));
        digestsTo("vae");
        VaeTrainConfig vc = ConfigLoader.load(VaeTrainConfig.class, CONFIGS.resolve("vae.yaml"), List.of(
                "steps=30", "batch_size=16", "data.limit=" + IMAGES, "data.val_limit=64", "scale_images=64",
                "eval_batch_size=64", "run.checkpoint_every=0", "run.log_every=5", "run.dir=" + work, "run.name=vae"));
        Path vae;
        try (NDManager m = NDManager.newBaseManager()) {
            vae = new VaeTrainer(vc, SEED, null).train(m, false).run().file(VaeFiles.WEIGHTS);
        }
        Path train = encode(vae, FashionMnist.Split.TRAIN, IMAGES, "latents/train");
        Path test = encode(vae, FashionMnist.Split.TEST, 128, "latents/test");

        digestsTo("fdnet");
        FdNetConfig fc = ConfigLoader.load(FdNetConfig.class, null, List.of("epochs=1", "batch_size=16",
                "data.limit=" + (30 * 16)));
        try (NDManager m = NDManager.newBaseManager()) {
            RunDir run = RunDir.create(work, "fdnet", ConfigLoader.toYaml(fc));
            FdNetTrainer.train(fc, FashionMnist.load(null, FashionMnist.Split.TRAIN), SEED, m, run).net().close();
        }

        digestsTo("pretrain");
        PretrainConfig pc = ConfigLoader.load(PretrainConfig.class, CONFIGS.resolve("pretrain.yaml"), List.of(
                "data.train=" + train, "batch_size=16", "epochs=1", "optim.warmup_epochs=0.2",
                "run.dir=" + work, "run.name=pretrain", "run.log_every=5", "run.checkpoint_every=0"));
        Path mae = Pretrainer.run(pc, SEED, false, cpu).checkpoint();

        for (String generator : List.of("sit", "dit")) {
            digestsTo(generator);
            GeneratorTrainConfig gc = ConfigLoader.load(GeneratorTrainConfig.class,
                    CONFIGS.resolve(generator + ".yaml"), List.of("data.train=" + train, "steps=30",
                            "batch_size=16", "run.checkpoint_every=0", "sample_every=0", "run.log_every=5",
                            "run.dir=" + work, "run.name=" + generator, "vae=" + vae, "finetune=" + mae));
            GeneratorTrainer.run(gc.withSeed(SEED), cpu, false, null);
        }

        digestsTo("linprobe");
        LinearProbe.run(ConfigLoader.load(LinprobeConfig.class, CONFIGS.resolve("linprobe.yaml"),
                classifier("linprobe", mae, train, test)), SEED, cpu, false);

        digestsTo("finetune");
        ClassifierFinetune.run(ConfigLoader.load(FinetuneConfig.class, CONFIGS.resolve("finetune.yaml"),
                classifier("finetune", mae, train, test)), SEED, cpu, false);
    }

    /** The overrides of a classifier stage: 1 epoch of batch 16 (32 steps) from the MAE checkpoint. */
    private List<String> classifier(String name, Path mae, Path train, Path test) {
        return List.of("finetune=" + mae, "data.train=" + train, "data.val=" + test, "epochs=1",
                "optim.warmup_epochs=0.2", "batch_size=16", "run.dir=" + work, "run.name=" + name,
                "run.log_every=5");
    }

    /** Encodes the first {@code limit} images of a split (and their flips) into a latent cache. */
    private Path encode(Path vaeFile, FashionMnist.Split split, int limit, String folder) throws IOException {
        Path out = work.resolve(folder);
        try (NDManager m = NDManager.newBaseManager();
             AutoencoderKL vae = VaeFiles.load(vaeFile, m)) {
            vae.eval();
            DatasetImages source = new DatasetImages(FashionMnist.load(null, split),
                    Transform.compose(Pad.all(2), new ToChannels(vae.config().inChannels())), limit);
            LatentCacheWriter.write(vae, source, out, LatentCacheWriter.Options.defaults());
        }
        return out;
    }

    private void digestsTo(String trainer) {
        System.setProperty(TrainingLoop.DIGESTS_PROPERTY, work.resolve("digests").resolve(trainer + ".txt").toString());
    }
}
