package dev.usp.app.pipeline;

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

    /**
     * Runs every stage into {@code runDir} and writes {@code report.md} there.
     *
     * @throws IllegalStateException after writing the report without the comparison, when a stage
     *     skipped updates ({@code allow_skipped_updates}): its numbers rest on gradients known to be wrong
     */
    public static Result run(QuickstartConfig cfg, Path runDir, Path dataDir, long seed, Device device)
            throws IOException {
        FmnistPipeline.Outcome o = new FmnistPipeline(cfg, runDir, dataDir, seed, device).run();
        Path report = QuickstartReport.write(o);
        if (!o.health().comparable()) {
            throw new IllegalStateException(o.health().totalSkipped() + " updates were skipped on non-finite gradients ("
                    + o.health().skippingStages() + "); the USP-vs-random comparison is not reported. See " + report);
        }
        return new Result(report, o, QuickstartReport.summarize(o));
    }
}
