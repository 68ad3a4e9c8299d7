package dev.usp.app.pipeline;

import ai.djl.Device;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.testing.FashionMnistFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs {@code usp quickstart --quick}'s pipeline end to end on real Fashion-MNIST, smaller still. */
class QuickstartPipelineTest {


    @Test
    void quickPipelineWritesEveryArtefactWithFiniteNumbers(@TempDir Path tmp) throws IOException {
        FashionMnistFiles.require();
        QuickstartConfig cfg = ConfigLoader.load(QuickstartConfig.class,
                Path.of("../configs/fmnist/quickstart-quick.yaml"), List.of(
                        "configs=../configs/fmnist", "encode_train_limit=1000", "encode_test_limit=300",
                        "fd_samples=50", "fd_sample_steps=5",
                        "vae=[steps=20, data.limit=1000, data.val_limit=300, scale_images=300, run.checkpoint_every=0]",
                        "fdnet=[epochs=1, data.limit=1000]",
                        "generation=[steps=10, run.checkpoint_every=5, sample_every=10, sample_count=4, batch_size=50]"));
        QuickstartRunner.Result r = QuickstartRunner.run(cfg, tmp.resolve("run"), null, 0, Device.cpu());
        Path run = tmp.resolve("run");
        for (String f : List.of("report.md", "fd_vs_steps.png", "generator_loss.png", "pretrain_loss.png",
                "accuracy.png", "samples_usp.png", "samples_random.png", "vae/vae.safetensors",
                "latents/train/manifest.json", "latents/test/manifest.json", "fdnet/" + dev.usp.eval.fdnet.FdNetWeights.FILE,
                cfg.generator() + "-usp/metrics.jsonl", cfg.generator() + "-random/metrics.jsonl")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), "missing " + f);
        }
        QuickstartReport.Summary s = r.summary();
        for (double v : new double[] {s.uspFinalFd(), s.randomFinalFd(), s.probeUsp(), s.probeRandom(),
                s.finetuneUsp(), s.finetuneRandom()}) {
            assertTrue(Double.isFinite(v), s.toString());
        }
        String report = Files.readString(r.report());
        assertTrue(report.contains("FD-FMNIST") && report.contains("| 10 |"), report);
        RunHealth health = r.outcome().health();
        assertEquals(0, health.totalSkipped());
        assertEquals(List.of(), health.budgetCuts());
        assertTrue(health.skippedUpdates().keySet().containsAll(List.of("vae", "fdnet", "pretrain",
                cfg.generator() + "-usp", cfg.generator() + "-random", "linprobe-usp", "finetune-random")),
                health.skippedUpdates().toString());
        assertTrue(report.contains("## What these numbers rest on") && report.contains("numerics self-check passed")
                && report.contains("Skipped updates (a non-finite gradient with a finite loss): none in any stage")
                && report.contains("no stage was cut"), report);
        assertTrue(r.outcome().usp().transfer().contains("loaded"), r.outcome().usp().transfer());

        // A second run reuses the first one's VAE, FD net and pretraining checkpoint (none of those stages runs
        // again) and trains the other generator, so that both objectives go through the pipeline.
        String other = cfg.generator().equals("sit") ? "dit" : "sit";
        QuickstartConfig again = ConfigLoader.load(QuickstartConfig.class,
                Path.of("../configs/fmnist/quickstart-quick.yaml"), List.of(
                        "configs=../configs/fmnist", "generator=" + other, "encode_train_limit=1000",
                        "encode_test_limit=300", "fd_samples=20", "fd_sample_steps=2",
                        "reuse_vae=" + run.resolve("vae/vae.safetensors"),
                        "reuse_fdnet=" + run.resolve("fdnet/" + dev.usp.eval.fdnet.FdNetWeights.FILE),
                        "reuse_pretrain=" + r.outcome().pretrainCheckpoint(),
                        "linprobe=[epochs=0.5, optim.warmup_epochs=0.1]",
                        "finetune=[epochs=0.5, optim.warmup_epochs=0.1]",
                        "generation=[steps=4, run.checkpoint_every=4, sample_every=4, sample_count=4, batch_size=20]"));
        Path run2 = tmp.resolve("run2");
        QuickstartRunner.Result r2 = QuickstartRunner.run(again, run2, null, 0, Device.cpu());
        for (String stage : List.of("vae", "fdnet", "pretrain")) {
            assertFalse(Files.exists(run2.resolve(stage)), stage + " ran although it was reused");
        }
        assertEquals(r.outcome().pretrainCheckpoint(), r2.outcome().pretrainCheckpoint());
        assertTrue(r2.outcome().usp().transfer().contains("loaded"), r2.outcome().usp().transfer());
        assertTrue(Files.isRegularFile(run2.resolve(other + "-usp/metrics.jsonl")), other);
        assertTrue(Double.isFinite(r2.summary().uspFinalFd()) && Double.isFinite(r2.summary().randomFinalFd()),
                r2.summary().toString());
        assertTrue(Files.readString(r2.report()).contains("reused (reuse_pretrain)"));
        assertTrue(r2.outcome().health().skippedUpdates().keySet().containsAll(List.of(
                run.resolve("vae").toAbsolutePath().toString(), run.resolve("pretrain").toAbsolutePath().toString())),
                "the reused artefacts' runs are checked too: " + r2.outcome().health().skippedUpdates());
    }

    @Test
    void missingReusedFileFailsBeforeAnyStage(@TempDir Path tmp) throws IOException {
        QuickstartConfig cfg = ConfigLoader.load(QuickstartConfig.class,
                Path.of("../configs/fmnist/quickstart-quick.yaml"), List.of(
                        "configs=../configs/fmnist", "reuse_pretrain=" + tmp.resolve("nope.safetensors")));
        IOException e = assertThrows(IOException.class,
                () -> QuickstartRunner.run(cfg, tmp.resolve("run"), null, 0, Device.cpu()));
        assertTrue(e.getMessage().contains("reuse_pretrain") && e.getMessage().contains("nope.safetensors"),
                e.getMessage());
        assertFalse(Files.exists(tmp.resolve("run/vae")));
    }

    @Test
    void unknownGeneratorIsRefusedByName() {
        Exception e = assertThrows(Exception.class, () -> ConfigLoader.load(QuickstartConfig.class,
                Path.of("../configs/fmnist/quickstart-quick.yaml"), List.of("generator=SiT")));
        String all = e + " " + e.getCause();
        assertTrue(all.contains("generator") && all.contains("SiT"), all);
    }
}
