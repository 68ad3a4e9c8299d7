package dev.usp.train.cls;

import java.nio.file.Path;
import java.util.Locale;

/**
 * What a fine-tune or linear-probe run reports: the best evaluation (by top-1) and the last one,
 * in percent, with the steps trained and the run folder (its {@code checkpoints/best} pointer names
 * the best checkpoint).
 */
public record ClsResult(double bestTop1, double bestTop5, long bestStep, double finalTop1, double finalTop5,
                        double finalLoss, long steps, Path runDir) {

    static ClsResult of(AccuracyHistory history, long steps, Path runDir) {
        AccuracyHistory.Entry best = history.best();
        AccuracyHistory.Entry last = history.last();
        if (best == null) {
            throw new IllegalStateException("run " + runDir + " has no evaluation in " + AccuracyHistory.FILE);
        }
        return new ClsResult(best.accuracy().top1(), best.accuracy().top5(), best.step(), last.accuracy().top1(),
                last.accuracy().top5(), last.accuracy().loss(), steps, runDir);
    }

    /** One line for the command line: best and final top-1/top-5 and the run folder. */
    public String summary() {
        return String.format(Locale.ROOT, "best top-1 %.2f%% top-5 %.2f%% (step %d); final top-1 %.2f%% top-5 %.2f%%; "
                + "run %s", bestTop1, bestTop5, bestStep, finalTop1, finalTop5, runDir);
    }
}
