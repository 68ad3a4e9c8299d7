package dev.usp.eval.pipeline;

import ai.djl.Device;

import java.io.IOException;
import java.nio.file.Path;

/** Runs the pipeline and writes its report: the Java entry point of {@code usp quickstart}. */
public final class QuickstartRunner {

    /** The report file and the headline numbers. */
    public record Result(Path report, FmnistPipeline.Outcome outcome, QuickstartReport.Summary summary) {
    }

    private QuickstartRunner() {
    }

    /** Runs every stage into {@code runDir} and writes {@code report.md} there. */
    public static Result run(QuickstartConfig cfg, Path runDir, Path dataDir, long seed, Device device)
            throws IOException {
        FmnistPipeline.Outcome o = new FmnistPipeline(cfg, runDir, dataDir, seed, device).run();
        Path report = QuickstartReport.write(o);
        return new Result(report, o, QuickstartReport.summarize(o));
    }
}
