package dev.usp.app.pipeline;

import dev.usp.core.io.AtomicFiles;
import dev.usp.app.pipeline.FmnistPipeline.FdPoint;
import dev.usp.app.pipeline.FmnistPipeline.GeneratorRun;
import dev.usp.app.pipeline.FmnistPipeline.Outcome;
import dev.usp.train.cls.ClsResult;
import dev.usp.train.loop.MetricsLog;
import dev.usp.train.report.BarChart;
import dev.usp.train.report.LinePlot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Writes {@code report.md} for a pipeline run: the tables (FD-FMNIST along training for both
 * inits, probe and fine-tune accuracy), the speed-up, and PNG plots (generator loss curves,
 * FD-FMNIST vs steps, accuracy bars) plus the last sample grid of each generator.
 */
public final class QuickstartReport {

    /** The headline numbers, also printed as the run's summary. */
    public record Summary(double uspFinalFd, double randomFinalFd, long randomFinalStep, long uspMatchStep,
                          double speedup, double probeUsp, double probeRandom, double finetuneUsp,
                          double finetuneRandom) {

        /** A few lines for the terminal. */
        public String text() {
            String match = uspMatchStep < 0
                    ? "the USP-initialised model did not reach the random init's final FD-FMNIST within the run"
                    : String.format(Locale.ROOT, "USP init reaches the random init's final FD-FMNIST (%.2f at step %d)"
                    + " at step %d: %.1fx fewer steps", randomFinalFd, randomFinalStep, uspMatchStep, speedup);
            return String.format(Locale.ROOT, "FD-FMNIST at the end: USP init %.2f, random init %.2f%n%s%n"
                            + "linear probe top-1: USP %.2f%%, random %.2f%%; fine-tune top-1: USP %.2f%%, random %.2f%%",
                    uspFinalFd, randomFinalFd, match, probeUsp, probeRandom, finetuneUsp, finetuneRandom);
        }
    }

    private QuickstartReport() {
    }

    /** The speed-up and accuracy summary of an outcome. */
    public static Summary summarize(Outcome o) {
        FdPoint uspLast = last(o.usp().fd());
        FdPoint randomLast = last(o.random().fd());
        long match = -1;
        for (FdPoint p : o.usp().fd()) {
            if (p.fd() <= randomLast.fd()) {
                match = p.step();
                break;
            }
        }
        double speedup = match > 0 ? (double) randomLast.step() / match : Double.NaN;
        return new Summary(uspLast.fd(), randomLast.fd(), randomLast.step(), match, speedup,
                o.probeUsp().bestTop1(), o.probeRandom().bestTop1(), o.finetuneUsp().bestTop1(),
                o.finetuneRandom().bestTop1());
    }

    /**
     * Writes the plots and {@code report.md} into the run folder; returns the report's path. When a
     * stage skipped updates the report holds the stages and why no comparison is given, nothing else.
     */
    public static Path write(Outcome o) throws IOException {
        Path dir = o.runDir();
        if (!o.health().comparable()) {
            Path report = dir.resolve("report.md");
            AtomicFiles.writeString(report, "# USP in miniature on Fashion-MNIST\n\nRun folder: `" + dir + "`.\n\n"
                    + "**No comparison is reported:** " + o.health().totalSkipped() + " updates were skipped on a "
                    + "non-finite gradient with a finite loss (" + o.health().skippingStages() + "; the stages ran with "
                    + "`allow_skipped_updates: true`). Such gradients are wrong, so nothing trained on them is "
                    + "evidence for or against USP.\n\n" + o.health().markdown());
            return report;
        }
        Summary s = summarize(o);
        LinePlot fd = new LinePlot("FD-FMNIST of EMA samples (lower is better)", "training step", "FD-FMNIST");
        fd.add("USP init", steps(o.usp().fd()), fds(o.usp().fd()));
        fd.add("random init", steps(o.random().fd()), fds(o.random().fd()));
        fd.write(dir.resolve("fd_vs_steps.png"));
        LinePlot loss = new LinePlot("Generator training loss", "step", "loss").logY(true);
        addLoss(loss, "USP init", o.usp().runDir());
        addLoss(loss, "random init", o.random().runDir());
        loss.write(dir.resolve("generator_loss.png"));
        Path preMetrics = pretrainMetrics(o.pretrainCheckpoint());
        if (preMetrics != null) { // a reused checkpoint copied out of its run folder has no loss history
            LinePlot preLoss = new LinePlot("USP pretraining loss (masked latent reconstruction)", "step", "loss");
            addLoss(preLoss, "MAE on latents", preMetrics.getParent());
            preLoss.write(dir.resolve("pretrain_loss.png"));
        }
        new BarChart("Top-1 accuracy on the Fashion-MNIST test set", "top-1 %", List.of("linear probe", "fine-tune"))
                .add("USP init", s.probeUsp(), s.finetuneUsp())
                .add("random init", s.probeRandom(), s.finetuneRandom())
                .write(dir.resolve("accuracy.png"));
        copyLastGrid(o.usp().runDir(), dir.resolve("samples_usp.png"));
        copyLastGrid(o.random().runDir(), dir.resolve("samples_random.png"));
        Path report = dir.resolve("report.md");
        AtomicFiles.writeString(report, markdown(o, s, preMetrics != null));
        return report;
    }

    private static String markdown(Outcome o, Summary s, boolean pretrainLossPlot) {
        StringBuilder md = new StringBuilder();
        md.append("# USP in miniature on Fashion-MNIST\n\n");
        md.append("Run folder: `").append(o.runDir()).append("`. Generator: `").append(o.config().generator())
                .append("`. FD-FMNIST / IS-FMNIST are the Frechet distance and an Inception-Score-like score in the")
                .append(" features of a small CNN trained on Fashion-MNIST (not Inception: not comparable with FID).\n\n");
        md.append("## Summary\n\n").append(s.text().replace("\n", "\n\n")).append("\n\n");
        md.append("## Stages\n\n| stage | result |\n|---|---|\n");
        md.append(row("VAE", Double.isNaN(o.vaePsnr())
                ? String.format(Locale.ROOT, "reused (reuse_vae), latent scale %.4f", o.vaeScale())
                : String.format(Locale.ROOT, "test PSNR %.2f dB, latent scale %.4f", o.vaePsnr(), o.vaeScale())));
        md.append(row("FD-FMNIST net", Double.isNaN(o.fdnetAccuracy()) ? "reused (reuse_fdnet)"
                : String.format(Locale.ROOT, "test accuracy %.2f%%", o.fdnetAccuracy())));
        md.append(row("USP pretraining", Double.isNaN(o.pretrainLoss())
                ? String.format(Locale.ROOT, "reused (reuse_pretrain), checkpoint `%s`", o.pretrainCheckpoint())
                : String.format(Locale.ROOT, "final loss %.4f, checkpoint `%s`", o.pretrainLoss(), o.pretrainCheckpoint())));
        md.append(row("generator, USP init", String.format(Locale.ROOT, "final loss %.4f; %s", o.usp().lastLoss(),
                o.usp().transfer().replace("|", "/"))));
        md.append(row("generator, random init", String.format(Locale.ROOT, "final loss %.4f", o.random().lastLoss())));
        md.append("\n## FD-FMNIST along training (").append(o.config().fdSamples()).append(" samples, ")
                .append(o.config().fdSampleSteps()).append(o.config().generator().equals("sit")
                        ? " Heun ODE steps" : " DDIM steps (eta 0)").append(", EMA weights, same noises for both inits)\n\n");
        md.append("| step | USP init FD | random init FD | USP init IS | random init IS |\n|---|---|---|---|---|\n");
        for (int i = 0; i < Math.max(o.usp().fd().size(), o.random().fd().size()); i++) {
            FdPoint u = i < o.usp().fd().size() ? o.usp().fd().get(i) : null;
            FdPoint r = i < o.random().fd().size() ? o.random().fd().get(i) : null;
            md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s |%n", u != null ? u.step() : r.step(),
                    u == null ? "" : fmt(u.fd()), r == null ? "" : fmt(r.fd()),
                    u == null ? "" : fmt(u.is()), r == null ? "" : fmt(r.is())));
        }
        md.append("\n![FD-FMNIST vs steps](fd_vs_steps.png)\n\n![generator loss](generator_loss.png)\n\n");
        md.append("## Understanding: accuracy on the test set (top-1 / top-5, %)\n\n");
        md.append("| protocol | USP init | random init |\n|---|---|---|\n");
        md.append(accRow("linear probe", o.probeUsp(), o.probeRandom()));
        md.append(accRow("fine-tune", o.finetuneUsp(), o.finetuneRandom()));
        md.append("\n![accuracy](accuracy.png)\n\n");
        md.append("## Samples (EMA, last preview of each run)\n\n| USP init | random init |\n|---|---|\n")
                .append("| ![USP](samples_usp.png) | ![random](samples_random.png) |\n\n");
        if (pretrainLossPlot) {
            md.append("![pretraining loss](pretrain_loss.png)\n\n");
        }
        md.append(o.health().markdown());
        md.append("## Time per stage\n\n");
        for (String t : o.stageTimes()) {
            md.append("- ").append(t).append('\n');
        }
        return md.toString();
    }

    private static String row(String a, String b) {
        return "| " + a + " | " + b + " |\n";
    }

    private static String accRow(String name, ClsResult usp, ClsResult random) {
        return String.format(Locale.ROOT, "| %s | %.2f / %.2f | %.2f / %.2f |%n", name, usp.bestTop1(), usp.bestTop5(),
                random.bestTop1(), random.bestTop5());
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static FdPoint last(List<FdPoint> points) {
        if (points.isEmpty()) {
            throw new IllegalStateException("no FD-FMNIST evaluation ran; set checkpoint_every below steps");
        }
        return points.get(points.size() - 1);
    }

    private static double[] steps(List<FdPoint> p) {
        return p.stream().mapToDouble(FdPoint::step).toArray();
    }

    private static double[] fds(List<FdPoint> p) {
        return p.stream().mapToDouble(FdPoint::fd).toArray();
    }

    /** {@code <run>/metrics.jsonl} of a checkpoint at {@code <run>/checkpoints/step-N.safetensors}, or null. */
    private static Path pretrainMetrics(Path checkpoint) {
        Path checkpoints = checkpoint.toAbsolutePath().getParent();
        Path metrics = checkpoints == null || checkpoints.getParent() == null ? null
                : checkpoints.getParent().resolve("metrics.jsonl");
        return metrics != null && Files.isRegularFile(metrics) ? metrics : null;
    }

    private static void addLoss(LinePlot plot, String name, Path runDir) throws IOException {
        double[][] xy = MetricsLog.column(MetricsLog.read(runDir.resolve("metrics.jsonl")), "loss");
        plot.add(name, xy[0], xy[1]);
    }

    private static void copyLastGrid(Path runDir, Path target) throws IOException {
        Path samples = runDir.resolve("samples");
        if (!Files.isDirectory(samples)) {
            return;
        }
        Optional<Path> lastGrid;
        try (Stream<Path> files = Files.list(samples)) {
            lastGrid = files.filter(f -> f.toString().endsWith(".png")).max(Comparator.naturalOrder());
        }
        if (lastGrid.isPresent()) {
            Files.copy(lastGrid.get(), target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
