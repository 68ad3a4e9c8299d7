package dev.usp.train.loop;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress line: {@code [=====>    ] 1200/5000 loss 0.4812 lr 1.0e-04 812 samples/s ETA 0:12:03}.
 * On a terminal it is redrawn in place with {@code \r} (at most ten times a second); otherwise it
 * becomes an INFO log line at most every {@code logIntervalSeconds}, and at the end.
 */
final class Progress {

    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
    private static final int WIDTH = 24;

    private final PrintStream terminal;
    private final long startStep;
    private final long totalSteps;
    private final long startNanos = System.nanoTime();
    private final long intervalNanos;
    private long lastDraw = Long.MIN_VALUE / 2;
    private boolean finished;
    private final boolean silent;

    /**
     * @param terminal where to draw the bar, or null to log lines instead
     */
    Progress(PrintStream terminal, long startStep, long totalSteps, double logIntervalSeconds) {
        this(terminal, startStep, totalSteps, logIntervalSeconds, false);
    }

    private Progress(PrintStream terminal, long startStep, long totalSteps, double logIntervalSeconds, boolean silent) {
        this.silent = silent;
        this.terminal = terminal;
        this.startStep = startStep;
        this.totalSteps = totalSteps;
        this.intervalNanos = terminal != null ? 100_000_000L : (long) (logIntervalSeconds * 1e9);
    }

    /** Progress that shows nothing: the ranks other than 0 of a multi-process job, where rank 0 reports. */
    static Progress silent(long startStep, long totalSteps) {
        return new Progress(null, startStep, totalSteps, 0, true);
    }

    /** Shows the state after {@code done} steps; {@code force} draws regardless of the interval. */
    void update(long done, double loss, double lr, double samplesPerSecond, boolean force) {
        long now = System.nanoTime();
        if (silent || !force && now - lastDraw < intervalNanos) {
            return;
        }
        lastDraw = now;
        String line = line(done, loss, lr, samplesPerSecond, now);
        if (terminal != null) {
            terminal.print("\r" + line);
            terminal.flush();
        } else {
            LOG.info(line);
        }
    }

    /** Ends the bar's line on a terminal; later calls do nothing. */
    void finish() {
        if (terminal != null && !finished) {
            finished = true;
            terminal.println();
            terminal.flush();
        }
    }

    private String line(long done, double loss, double lr, double samplesPerSecond, long now) {
        int filled = (int) (WIDTH * done / Math.max(1, totalSteps));
        StringBuilder bar = new StringBuilder("[");
        for (int i = 0; i < WIDTH; i++) {
            bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        bar.append(']');
        double secondsPerStep = (now - startNanos) / 1e9 / Math.max(1, done - startStep);
        long eta = done > startStep ? Math.round((totalSteps - done) * secondsPerStep) : -1;
        return String.format(Locale.ROOT, "%s %d/%d loss %.4f lr %.2e %.1f samples/s ETA %s",
                bar, done, totalSteps, loss, lr, samplesPerSecond, eta < 0 ? "?" : hms(eta));
    }

    static String hms(long seconds) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}
