package dev.usp.app.pipeline;

import dev.usp.core.engine.Numerics;
import dev.usp.train.loop.MetricsLog;
import dev.usp.train.loop.RunDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a pipeline run's numbers rest on: the engine's numerics self-check, the updates any stage
 * skipped on a non-finite gradient (read from every stage's {@code metrics.jsonl}, those of reused
 * artefacts' runs included), and the stages a time budget cut short. A comparison is reported
 * only when no stage skipped an update.
 *
 * @param numerics the self-check's one-line summary
 * @param skippedUpdates skipped updates by stage folder (every stage that has a metrics log)
 * @param budgetCuts the stages a time budget ended before their configured steps
 */
public record RunHealth(String numerics, Map<String, Long> skippedUpdates, List<String> budgetCuts) {

    /**
     * Reads the stages' metrics logs under {@code run} and next to each reused file.
     *
     * @param reused files reused from earlier runs (null entries are ignored); their run folders are read too
     */
    public static RunHealth of(Path run, List<Path> reused, List<String> budgetCuts) throws IOException {
        Map<String, Long> skipped = new TreeMap<>();
        List<Path> logs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(run, 3)) {
            files.filter(f -> f.getFileName().toString().equals(RunDir.METRICS)).forEach(logs::add);
        }
        for (Path file : reused) {
            Path log = file == null ? null : runFolderOf(file).resolve(RunDir.METRICS);
            if (log != null && Files.isRegularFile(log) && !logs.contains(log)) {
                logs.add(log);
            }
        }
        for (Path log : logs) {
            String stage = log.startsWith(run) ? run.relativize(log.getParent()).toString() : log.getParent().toString();
            skipped.put(stage, skippedIn(log));
        }
        return new RunHealth(Numerics.ensure().summary(), skipped, List.copyOf(budgetCuts));
    }

    /** The sum of {@code skipped_updates} over a metrics log (0 where skipping was not allowed). */
    static long skippedIn(Path metrics) throws IOException {
        double sum = 0;
        for (Map<String, Double> row : MetricsLog.read(metrics)) {
            sum += row.getOrDefault("skipped_updates", 0.0);
        }
        return Math.round(sum);
    }

    /** Updates skipped over all stages. */
    public long totalSkipped() {
        return skippedUpdates.values().stream().mapToLong(Long::longValue).sum();
    }

    /** True when the USP-vs-random comparison may be reported: no stage skipped an update. */
    public boolean comparable() {
        return totalSkipped() == 0;
    }

    /** The stages that skipped updates, e.g. {@code "vae: 3, pretrain: 1"}. */
    public String skippingStages() {
        StringBuilder out = new StringBuilder();
        skippedUpdates.forEach((stage, n) -> {
            if (n > 0) {
                out.append(out.length() == 0 ? "" : ", ").append(stage).append(": ").append(n);
            }
        });
        return out.toString();
    }

    /** The report's section on these checks. */
    public String markdown() {
        StringBuilder md = new StringBuilder("## What these numbers rest on\n\n");
        md.append("- ").append(numerics).append(".\n");
        md.append(String.format(Locale.ROOT, "- Skipped updates (a non-finite gradient with a finite loss): %s.%n",
                totalSkipped() == 0 ? "none in any stage (" + skippedUpdates.size() + " stages checked)"
                        : totalSkipped() + " (" + skippingStages() + ")"));
        md.append("- Time budgets: ").append(budgetCuts.isEmpty() ? "no stage was cut; every stage ran its configured"
                + " steps, so the numbers do not depend on this machine's speed"
                : "cut " + String.join(", ", budgetCuts) + " before its configured steps: its numbers depend on this"
                + " machine's speed").append(".\n\n");
        return md.toString();
    }

    /** The run folder of a file written inside one: its folder, or for a checkpoint the folder above. */
    private static Path runFolderOf(Path file) {
        Path dir = file.toAbsolutePath().getParent();
        return dir.getFileName() != null && dir.getFileName().toString().equals(RunDir.CHECKPOINTS)
                ? dir.getParent() : dir;
    }
}
