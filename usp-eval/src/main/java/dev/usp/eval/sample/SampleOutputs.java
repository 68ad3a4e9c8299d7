package dev.usp.eval.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.usp.core.io.AtomicFiles;
import dev.usp.core.io.UnfinishedOutputs;
import dev.usp.eval.io.NpyDType;
import dev.usp.eval.io.NpyHeader;
import dev.usp.eval.io.NpyStream;
import dev.usp.eval.io.NpzFile;
import dev.usp.eval.io.NpzWriter;
import dev.usp.core.io.ImageGrid;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes what a sampling run produces into a folder: {@code grid.png} (the first {@code gridCount}
 * samples), optionally {@code images/NNNNNN.png} (one per sample, named by its index), and
 * optionally {@code samples.npz} with {@code arr_0} uint8 (N, H, W, C), the ADM evaluator's input.
 * A folder it creates is {@link UnfinishedOutputs unfinished} until every sample is written.
 *
 * @param dir the output folder
 * @param gridCount samples in the grid (0: no grid)
 * @param eachPng write every sample as its own PNG
 * @param npz write the .npz
 */
public record SampleOutputs(Path dir, int gridCount, boolean eachPng, boolean npz) {

    /** The .npz file name inside {@link #dir}. */
    public static final String NPZ = "samples.npz";
    /** The grid file name inside {@link #dir}. */
    public static final String GRID = "grid.png";

    /**
     * Runs {@code job} through {@code sampler} into the outputs, telling {@code progress} after
     * each batch.
     *
     * @return the .npz file, or null when none was asked for
     */
    public Path write(Sampler sampler, SampleJob job, Sampler.Sink progress) throws IOException {
        UnfinishedOutputs.create(dir);
        NDList gridImages = new NDList();
        Sampler.Sink common = batch -> {
            if (eachPng) {
                writeEach(batch);
            }
            collectGrid(batch, gridImages);
            progress.accept(batch);
        };
        Path npzFile = dir.resolve(NPZ);
        try {
            if (npz) {
                NpzWriter.write(npzFile, writer -> {
                    NpyStream[] stream = new NpyStream[1];
                    sampler.run(job, batch -> {
                        if (stream[0] == null) {
                            stream[0] = writer.stream(NpzFile.DEFAULT_KEY, NpyHeader.of(NpyDType.UINT8, job.count(),
                                    batch.height(), batch.width(), batch.channels()));
                        }
                        stream[0].write(batch.uint8Nhwc());
                        common.accept(batch);
                    });
                    stream[0].close();
                });
            } else {
                sampler.run(job, common);
            }
            if (!gridImages.isEmpty()) {
                NDArray all = NDArrays.concat(gridImages, 0);
                ImageGrid.write(all, (int) Math.ceil(Math.sqrt(all.getShape().get(0))), dir.resolve(GRID));
                all.close();
            }
        } finally {
            gridImages.close();
        }
        UnfinishedOutputs.keep(dir);
        return npz ? npzFile : null;
    }

    private void collectGrid(Sampler.Batch batch, NDList gridImages) {
        int take = Math.min(batch.labels().length, gridCount - batch.start());
        if (take > 0) {
            NDArray copy = batch.images().get("0:" + take).toDevice(ai.djl.Device.cpu(), false).duplicate();
            copy.detach();
            gridImages.add(copy);
        }
    }

    private void writeEach(Sampler.Batch b) throws IOException {
        int h = b.height();
        int w = b.width();
        int c = b.channels();
        for (int j = 0; j < b.labels().length; j++) {
            BufferedImage img = new BufferedImage(w, h, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
            int base = j * h * w * c;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int p = base + (y * w + x) * c;
                    if (c == 1) {
                        img.getRaster().setSample(x, y, 0, b.uint8Nhwc()[p] & 0xff);
                    } else {
                        int rgb = (b.uint8Nhwc()[p] & 0xff) << 16 | (b.uint8Nhwc()[p + 1] & 0xff) << 8
                                | (b.uint8Nhwc()[p + 2] & 0xff);
                        img.setRGB(x, y, rgb);
                    }
                }
            }
            Path file = dir.resolve("images").resolve(String.format(Locale.ROOT, "%06d.png", b.start() + j));
            AtomicFiles.write(file, out -> ImageIO.write(img, "png", out));
        }
    }
}
