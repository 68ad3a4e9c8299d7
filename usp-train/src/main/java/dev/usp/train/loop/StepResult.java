package dev.usp.train.loop;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a training step returns: its loss (averaged over micro-batches when gradients were
 * accumulated), how many samples it consumed, and optional extra scalars to log (grad norm,
 * per-part losses), which the metrics log averages over each logging window.
 */
public record StepResult(double loss, long samples, Map<String, Double> extras) {

    /** A result with no extra scalars. */
    public static StepResult of(double loss, long samples) {
        return new StepResult(loss, samples, Map.of());
    }

    /** Copies the extras so the record is immutable. */
    public StepResult {
        extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras));
    }

    /** This result with one more extra scalar. */
    public StepResult with(String name, double value) {
        Map<String, Double> more = new LinkedHashMap<>(extras);
        more.put(name, value);
        return new StepResult(loss, samples, more);
    }
}
