package dev.usp.train.cls;

import dev.usp.eval.metrics.Accuracy;
import ai.djl.ndarray.NDManager;
import dev.usp.core.config.ConfigLoader;
import dev.usp.models.vit.VisionTransformer;
import dev.usp.train.loop.Checkpoint;
import dev.usp.vae.cache.LatentCache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Rebuilds the classifier a {@code usp finetune-cls} or {@code usp linprobe} checkpoint was saved
 * from, for evaluation: the run config it carries gives the model, a fine-tune checkpoint's
 * {@code model} part gives every weight, and a linear-probe checkpoint's {@code head} part gives
 * the head while the frozen encoder is read again from the MAE checkpoint its config names
 * ({@code finetune}), or re-initialised from the run seed when it had none.
 */
public final class ClassifierCheckpoints {

    /** Which trainer wrote a checkpoint. */
    public enum Kind {
        /** {@code usp finetune-cls}: part {@code model}. */
        FINETUNE,
        /** {@code usp linprobe}: part {@code head}. */
        LINPROBE
    }

    /**
     * A restored classifier in eval mode.
     *
     * @param model   the classifier, weights loaded
     * @param kind    which trainer wrote it
     * @param data    the data config of its run (caches, classes, evaluation batch)
     */
    public record Restored(VisionTransformer model, Kind kind, ClsDataConfig data) {

        /** Top-1/top-5 on a latent cache, through the trainers' own evaluation. */
        public Accuracy evaluate(LatentCache test, int batchSize) {
            return kind == Kind.FINETUNE ? ClassifierFinetune.evaluate(model, test, batchSize)
                    : LinearProbe.evaluate(model, test, null, batchSize);
        }
    }

    private ClassifierCheckpoints() {
    }

    /**
     * The kind of a checkpoint.
     *
     * @throws IllegalArgumentException when it holds neither part, or a {@code model} part
     *     whose config is not a fine-tune config (e.g. a pretraining checkpoint)
     */
    public static Kind kind(Checkpoint cp, Path file) {
        if (cp.hasPart("head") && !cp.hasPart("model")) {
            return Kind.LINPROBE;
        }
        if (cp.hasPart("model")) {
            config(cp, file, FinetuneConfig.class);
            return Kind.FINETUNE;
        }
        throw new IllegalArgumentException(file + " has parts " + cp.partNames()
                + ": not a classifier checkpoint (expected 'model' from finetune-cls or 'head' from linprobe)");
    }

    /** The data config (caches, classes) of the run that wrote a classifier checkpoint. */
    public static ClsDataConfig data(Checkpoint cp, Path file) {
        return kind(cp, file) == Kind.FINETUNE ? config(cp, file, FinetuneConfig.class).classifierData()
                : config(cp, file, LinprobeConfig.class).classifierData();
    }

    /**
     * Builds the checkpoint's classifier for the latent geometry of {@code cache} under
     * {@code manager} and loads its weights; the model is in eval mode.
     */
    public static Restored restore(Checkpoint cp, Path file, LatentCache cache, NDManager manager) throws IOException {
        Kind kind = kind(cp, file);
        VisionTransformer model;
        ClsDataConfig data;
        if (kind == Kind.FINETUNE) {
            FinetuneConfig c = config(cp, file, FinetuneConfig.class);
            data = c.classifierData();
            model = ClsSetup.buildModel(c.model(), data, cache, cache, false, cp.seed(), manager);
            model.loadStateDict(cp.part("model"), true);
        } else {
            LinprobeConfig c = config(cp, file, LinprobeConfig.class);
            data = c.classifierData();
            model = ClsSetup.buildModel(c.model(), data, cache, cache, true, cp.seed(), manager);
            if (c.finetune() != null) {
                if (!Files.isRegularFile(c.finetune())) {
                    throw new NoSuchFileException(c.finetune().toString(), null, "the encoder checkpoint that linear-probe "
                            + "checkpoint " + file + " was trained on is gone");
                }
                ClsSetup.loadPretrained(c.finetune(), model, c.model());
            }
            model.loadStateDict(cp.part("head"), false);
        }
        model.eval();
        return new Restored(model, kind, data);
    }

    /** The run config a checkpoint carries, as a config record; IllegalArgumentException naming the file when it is not one. */
    public static <R extends Record> R config(Checkpoint cp, Path file, Class<R> type) {
        try {
            Path tmp = Files.createTempFile("usp-checkpoint-config", ".yaml");
            try {
                Files.writeString(tmp, cp.config());
                return ConfigLoader.load(type, tmp, List.of());
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": its config is not a " + type.getSimpleName() + " ("
                    + e.getMessage() + ")", e);
        }
    }
}
