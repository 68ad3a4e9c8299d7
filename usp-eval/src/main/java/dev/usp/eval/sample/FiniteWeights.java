package dev.usp.eval.sample;

import ai.djl.ndarray.NDArray;
import dev.usp.core.weights.StateDict;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Refuses weights holding NaN or infinite values, which would sample nothing but black images. */
final class FiniteWeights {

    private static final int LISTED = 4;

    private FiniteWeights() {
    }

    /**
     * Checks every floating-point tensor of {@code sd}.
     *
     * @throws IllegalArgumentException naming the source, the first tensors with non-finite values
     *     and their NaN and infinity counts
     */
    static void require(StateDict sd) {
        List<String> bad = new ArrayList<>();
        int count = 0;
        for (Map.Entry<String, NDArray> e : sd.asMap().entrySet()) {
            NDArray a = e.getValue();
            if (!a.getDataType().isFloating()) {
                continue;
            }
            long nan = countTrue(a.isNaN());
            long inf = countTrue(a.isInfinite());
            if (nan + inf > 0) {
                count++;
                if (bad.size() < LISTED) {
                    bad.add("'" + e.getKey() + "' " + a.getShape() + " has " + nan + " NaN and " + inf + " infinite values");
                }
            }
        }
        if (count > 0) {
            throw new IllegalArgumentException(sd.source() + ": " + count + " tensor(s) hold non-finite weights: "
                    + String.join("; ", bad) + (count > bad.size() ? "; ..." : "")
                    + " (a diverged or damaged checkpoint)");
        }
    }

    private static long countTrue(NDArray mask) {
        try (NDArray n = mask.countNonzero()) {
            return n.getLong();
        } finally {
            mask.close();
        }
    }
}
