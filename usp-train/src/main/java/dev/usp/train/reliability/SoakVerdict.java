package dev.usp.train.reliability;

import java.util.List;
import java.util.Locale;

/**
 * The soak's verdict: RSS growth from the first sample at or after the warm-up step to the last
 * sample, as a percentage of the warm-up RSS, against a limit.
 */
public record SoakVerdict(MemorySample warm, MemorySample end, double peakRssMb, double growthPercent,
                          double limitPercent) {

    /**
     * Judges samples taken in step order.
     *
     * @throws IllegalArgumentException when no sample lies at or after the warm-up step, or the last
     *     one is the warm-up one (the run was too short to judge)
     */
    public static SoakVerdict of(List<MemorySample> samples, long warmupStep, double limitPercent) {
        MemorySample warm = samples.stream().filter(s -> s.step() >= warmupStep).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no memory sample at or after the warm-up step "
                        + warmupStep + "; the run has " + samples.size() + " samples"));
        MemorySample end = samples.get(samples.size() - 1);
        if (end.step() <= warm.step()) {
            throw new IllegalArgumentException("the last sample (step " + end.step() + ") is not after the warm-up "
                    + "sample (step " + warm.step() + "): run more steps than the warm-up");
        }
        double peak = samples.stream().filter(s -> s.step() >= warmupStep).mapToDouble(MemorySample::rssMb).max()
                .orElse(end.rssMb());
        return new SoakVerdict(warm, end, peak, 100 * (end.rssMb() - warm.rssMb()) / warm.rssMb(), limitPercent);
    }

    /** True when the growth is below the limit. */
    public boolean passed() {
        return growthPercent < limitPercent;
    }

    /** One line for the terminal. */
    public String summary() {
        return String.format(Locale.ROOT, "%s: RSS %.1f MB at step %d (warm-up), %.1f MB at step %d (end), "
                        + "peak %.1f MB after warm-up; growth %+.2f%% (limit %.1f%%); heap %.1f -> %.1f MB",
                passed() ? "PASS" : "FAIL", warm.rssMb(), warm.step(), end.rssMb(), end.step(), peakRssMb,
                growthPercent, limitPercent, warm.heapMb(), end.heapMb());
    }
}
