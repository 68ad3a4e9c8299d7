package dev.usp.train.cls;

import dev.usp.eval.metrics.Accuracy;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.weights.StateDict;
import dev.usp.models.transfer.MaeTransfer;
import dev.usp.models.transfer.PretrainedFiles;
import dev.usp.models.transfer.TransferOptions;
import dev.usp.models.transfer.TransferReport;
import dev.usp.models.vit.VisionTransformer;
import dev.usp.models.vit.VitModels;
import dev.usp.models.vit.VitOptions;
import dev.usp.train.distributed.ProcessGroupEnv;
import dev.usp.train.loop.RunDir;
import dev.usp.train.loop.TrainingLoop;
import dev.usp.vae.cache.CacheManifest;
import dev.usp.vae.cache.LatentCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** What fine-tuning and linear probing share: model construction, MAE loading, run folder, evaluation hook. */
final class ClsSetup {

    private static final Logger LOG = LoggerFactory.getLogger(ClsSetup.class);

    private ClsSetup() {
    }

    /** The latent side and channels of a cache, checked square. */
    static int[] latentGeometry(CacheManifest manifest) {
        List<Long> m = manifest.momentsShape();    // (2z, h, w)
        if (m.size() != 3 || m.get(1).longValue() != m.get(2).longValue() || m.get(0) % 2 != 0) {
            throw new IllegalArgumentException("latent cache moments shape " + m + " is not (2z, s, s)");
        }
        return new int[] {m.get(1).intValue(), (int) (m.get(0) / 2)};
    }

    /**
     * Builds the classifier for the train cache's latents (engine seeded with {@code seed} first,
     * so the init is reproducible), and checks the test cache has the same geometry.
     */
    static VisionTransformer buildModel(ClsModelConfig mc, ClsDataConfig data, LatentCache train, LatentCache test,
                                        boolean probeHead, long seed, NDManager manager) {
        int[] g = latentGeometry(train.manifest());
        if (!train.manifest().momentsShape().equals(test.manifest().momentsShape())) {
            throw new IllegalArgumentException("train cache " + data.trainCache() + " has moments "
                    + train.manifest().momentsShape() + " but test cache " + data.testCache() + " has "
                    + test.manifest().momentsShape());
        }
        VitOptions opts = new VitOptions(g[0], g[1], mc.patchSize(), data.numClasses(), mc.pool(), mc.dropPath(),
                mc.skipDepth(), mc.headInitStd(), probeHead);
        Engine.getInstance().setRandomSeed((int) (seed & 0x7fffffff));
        VisionTransformer model = VitModels.create(mc.name(), opts, manager);
        LOG.info("model {} ({}): {} parameters, input {}x{}x{}, patch {}, depth {}, pool {}", mc.name(),
                probeHead ? "linear-probe head" : "classifier head", model.parameterCount(), g[1], g[0], g[0],
                mc.patchSize(), model.config().depth(), mc.pool());
        return model;
    }

    /**
     * Loads an MAE checkpoint into the classifier ({@link MaeTransfer#toClassifier}) and logs the
     * report; the head keeps its init. Reads the {@code model} entry of a torch.save or
     * usp checkpoint, or the whole file when it has none.
     */
    static TransferReport loadPretrained(Path file, VisionTransformer model, ClsModelConfig mc) throws IOException {
        try (NDManager m = model.manager().newSubManager(); StateDict sd = PretrainedFiles.readModel(file, m)) {
            TransferReport report = MaeTransfer.toClassifier(sd, model, TransferOptions.defaults()
                    .withAllowPartial(mc.allowPartial()).withResizePosEmbed(mc.resizePosEmbed()));
            LOG.info("loaded pre-trained {}: {}", file, report.summary());
            LOG.info("transfer details: {}", report);
            return report;
        }
    }

    /** Opens or creates the run folder with the resolved config. */
    static RunDir runDir(ClsRunConfig run, Record config, boolean resume, ProcessGroupEnv process) throws IOException {
        RunDir dir = RunDir.forProcess(run.runsDir(), run.name(), ConfigLoader.toYaml(config), resume, process);
        LOG.info("run folder {}", dir);
        return dir;
    }

    /** Optimiser steps between evaluations: {@code evalEvery}, or one epoch. */
    static long evalEvery(ClsRunConfig run, long stepsPerEpoch, long totalSteps) {
        long every = run.evalEvery() > 0 ? run.evalEvery() : stepsPerEpoch;
        return Math.max(1, Math.min(every, Math.max(1, totalSteps)));
    }

    /** Optimiser steps per epoch, checked positive. */
    static long stepsPerEpoch(int microBatchesPerEpoch, int accumIter) {
        long steps = microBatchesPerEpoch / accumIter;
        if (steps < 1) {
            throw new IllegalArgumentException(microBatchesPerEpoch + " batches per epoch are fewer than accum_iter "
                    + accumIter + ": lower batch_size or accum_iter");
        }
        return steps;
    }

    /**
     * An evaluator for {@link TrainingLoop.Builder#optBest} that records into the history and
     * returns top-1, with top-5 and the test loss beside it ({@code test_acc5}, {@code test_loss}).
     */
    static TrainingLoop.Evaluator evaluator(AccuracyHistory history, long stepsPerEpoch, Supplier<Accuracy> eval) {
        return step -> {
            Accuracy a = eval.get();
            history.add(step, (double) step / stepsPerEpoch, a);
            LOG.info("step {} (epoch {}): test top-1 {}%, top-5 {}%, loss {} on {} images", step,
                    String.format("%.2f", (double) step / stepsPerEpoch), String.format("%.2f", a.top1()),
                    String.format("%.2f", a.top5()), String.format("%.4f", a.loss()), a.count());
            Map<String, Double> more = new LinkedHashMap<>();
            more.put("test_acc5", a.top5());
            more.put("test_loss", a.loss());
            return new TrainingLoop.Score(a.top1(), more);
        };
    }

    /** Writes the accuracy plot, warning instead of failing. */
    static void plot(AccuracyHistory history, RunDir run, String title) {
        try {
            history.plot(run.file(AccuracyHistory.PLOT), title);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not draw {}: {}", run.file(AccuracyHistory.PLOT), e.toString());
        }
    }
}
