package dev.usp.train.pretrain;

import ai.djl.ndarray.types.Shape;
import dev.usp.core.config.DataConfig;
import dev.usp.core.data.Dataset;
import dev.usp.core.data.FashionMnist;
import dev.usp.core.data.HorizontalFlip;
import dev.usp.core.data.ImageFolderDataset;
import dev.usp.core.data.Pad;
import dev.usp.core.data.RandomResizedCrop;
import dev.usp.core.data.ToChannels;
import dev.usp.core.data.Transform;
import dev.usp.train.data.ImageLatentBatches;
import dev.usp.vae.AutoencoderKL;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/** The {@code data.source: images} input of pretraining: the dataset and transform the config names, through the VAE. */
final class ImageInput {

    private static final Logger LOG = LoggerFactory.getLogger(ImageInput.class);

    private ImageInput() {
    }

    /**
     * The batches of {@code cfg}'s dataset encoded by {@code vae}, checked against the model's
     * latent size and channels.
     *
     * @throws IllegalArgumentException naming the keys when the latents do not fit the model
     */
    static ImageLatentBatches open(PretrainConfig cfg, AutoencoderKL vae, long seed) throws IOException {
        DataConfig data = cfg.data();
        int channels = vae.config().inChannels();
        Dataset dataset;
        Transform transform;
        if ("folder".equals(data.dataset())) {
            if (data.dir() == null) {
                throw new IllegalArgumentException("data.dataset is folder but data.dir is not set: give the image"
                        + " folder (one sub-folder per class)");
            }
            dataset = ImageFolderDataset.scan(data.dir(), ImageFolderDataset.BadImagePolicy.FAIL);
            transform = Transform.compose(RandomResizedCrop.mae(cfg.imageSize()), new HorizontalFlip(0.5),
                    new ToChannels(channels));
        } else {
            dataset = FashionMnist.load(data.dir(), FashionMnist.Split.TRAIN);
            transform = Transform.compose(Pad.all(2), new HorizontalFlip(0.5), new ToChannels(channels));
        }
        ImageLatentBatches batches = new ImageLatentBatches(vae, dataset, transform, data.limit(),
                cfg.batchSize(), seed);
        Shape z = batches.latentShape();
        if (z.get(0) != cfg.latentChannels() || z.get(1) != cfg.latentSize() || z.get(2) != cfg.latentSize()) {
            throw new IllegalArgumentException("the VAE " + cfg.vae() + " turns the " + data.dataset()
                    + " images into latents " + z + " but the model expects latent_channels " + cfg.latentChannels()
                    + " and latent_size " + cfg.latentSize());
        }
        LOG.info("pretraining on {} images ({}, {} per epoch) encoded by the frozen VAE {} into latents {}",
                data.dataset(), data.dir() == null ? "default folder" : data.dir(),
                batches.batchesPerEpoch() * cfg.batchSize(), cfg.vae(), z);
        return batches;
    }
}
