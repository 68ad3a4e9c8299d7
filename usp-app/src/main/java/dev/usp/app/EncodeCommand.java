package dev.usp.app;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.data.AdmCenterCrop;
import dev.usp.core.data.Dataset;
import dev.usp.core.data.FashionMnist;
import dev.usp.core.data.ImageFolderDataset;
import dev.usp.core.data.Pad;
import dev.usp.core.data.ToChannels;
import dev.usp.core.data.Transform;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.cache.CacheManifest;
import dev.usp.vae.cache.DatasetImages;
import dev.usp.vae.cache.LabelledImages;
import dev.usp.vae.cache.LatentCacheWriter;
import dev.usp.vae.weights.VaeFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code usp encode}: encodes Fashion-MNIST (padded to 32x32) or an image folder (ADM centre
 * crop) with a VAE into a resumable latent cache (moments of every image and its flip, labels).
 */
@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Encode a dataset with a VAE into a latent cache (image and flip moments, labels). "
                + "Resumable: finished shards are kept when run again with the same settings.")
public final class EncodeCommand implements Callable<Integer> {

    /** The dataset to encode. */
    public enum Split {
        /** The training images. */
        TRAIN,
        /** The test images. */
        TEST
    }

    @Mixin
    private CommonOptions common;

    @Option(names = "--vae", required = true, paramLabel = "PATH",
            description = "VAE weights: a vae.safetensors with its sidecar, a .safetensors/.ckpt file (give "
                    + "--vae-preset), or a diffusers folder.")
    private Path vae;

    @Option(names = "--vae-preset", paramLabel = "NAME",
            description = "Architecture when the file carries none: sd, kl16, fmnist-tiny, fmnist-d4, cifar-d4.")
    private String vaePreset;

    @Option(names = "--vae-key", paramLabel = "ENTRY",
            description = "Entry of a torch.save VAE checkpoint holding the weights (e.g. model, state_dict). "
                    + "Default: the file itself, or its single model/state_dict/ema entry.")
    private String vaeKey;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Cache folder (created; resumed when it exists).")
    private Path out;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Fashion-MNIST IDX folder. Default: /usr/share/datasets/fashion-mnist.")
    private Path dataDir;

    @Option(names = "--split", defaultValue = "train", paramLabel = "SPLIT",
            description = "Fashion-MNIST split: train or test. Default: ${DEFAULT-VALUE}.")
    private String split;

    @Option(names = "--image-folder", paramLabel = "DIR",
            description = "Encode an image folder (one sub-folder per class) instead of Fashion-MNIST.")
    private Path imageFolder;

    @Option(names = "--image-size", defaultValue = "256", paramLabel = "PX",
            description = "ADM centre-crop size for --image-folder. Default: ${DEFAULT-VALUE}.")
    private int imageSize;

    @Option(names = "--batch-size", defaultValue = "256",
            description = "Images encoded at once (each with its flip). Default: ${DEFAULT-VALUE}.")
    private int batchSize;

    @Option(names = "--shard-size", defaultValue = "10000",
            description = "Images per shard file. Default: ${DEFAULT-VALUE}.")
    private int shardSize;

    @Option(names = "--float16", description = "Store the moments as float16 (half the size).")
    private boolean float16;

    @Option(names = "--limit", defaultValue = "0", description = "Encode only the first N images (0: all).")
    private int limit;

    @Override
    public Integer call() throws IOException {
        List<Device> devices = common.devices();
        try (NDManager manager = NDManager.newBaseManager(devices.get(0));
             AutoencoderKL model = VaeFiles.load(vae, vaePreset, vaeKey, manager)) {
            model.eval();
            LabelledImages source = source(model.config().inChannels());
            PrintStream err = System.err;
            err.printf(Locale.ROOT, "encoding %d images %s with %s on %s into %s%n", source.size(), source.imageShape(),
                    vae, devices.get(0), out);
            Progress progress = new Progress(source, err);
            long start = System.nanoTime();
            CacheManifest manifest = LatentCacheWriter.write(model, progress,
                    out, new LatentCacheWriter.Options(shardSize, batchSize, float16));
            progress.finish();
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "latent cache %s: %d images in %d shards, moments %s %s, scale %s"
                            + " (%d images encoded now in %.1f s)%n", out, manifest.images(), manifest.shards().size(),
                    manifest.momentsShape(), manifest.dtype(), manifest.scaleFactor(), progress.read, seconds);
        }
        return 0;
    }

    private LabelledImages source(int channels) throws IOException {
        if (imageFolder != null) {
            Dataset data = ImageFolderDataset.scan(imageFolder, ImageFolderDataset.BadImagePolicy.FAIL);
            Transform crop = Transform.compose(new AdmCenterCrop(imageSize), new ToChannels(channels));
            return new DatasetImages(data, crop, limit);
        }
        Split s;
        try {
            s = Split.valueOf(split.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--split " + split + ": expected train or test", e);
        }
        FashionMnist data = FashionMnist.load(dataDir,
                s == Split.TRAIN ? FashionMnist.Split.TRAIN : FashionMnist.Split.TEST);
        return new DatasetImages(data, Transform.compose(Pad.all(2), new ToChannels(channels)), limit);
    }

    /** Passes reads through and draws a progress line (images read, images/s) on stderr. */
    private static final class Progress implements LabelledImages {
        private final LabelledImages inner;
        private final PrintStream err;
        private final long start = System.nanoTime();
        private int read;
        private long lastDraw;

        Progress(LabelledImages inner, PrintStream err) {
            this.inner = inner;
            this.err = err;
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public Shape imageShape() {
            return inner.imageShape();
        }

        /** Reads run just before their images are encoded: the line shows the images done before this read. */
        @Override
        public Batch read(int start, int count) {
            long now = System.nanoTime();
            if (read > 0 && now - lastDraw > 500_000_000L) {
                lastDraw = now;
                draw(start, now);
            }
            Batch b = inner.read(start, count);
            read += count;
            return b;
        }

        void draw(int position, long now) {
            double seconds = (now - start) / 1e9;
            err.printf(Locale.ROOT, "\rencode %d/%d images  %.1f images/s  ", position, inner.size(),
                    seconds > 0 ? read / seconds : 0);
        }

        void finish() {
            if (read > 0) {
                draw(inner.size(), System.nanoTime());
                err.println();
            }
        }
    }
}
