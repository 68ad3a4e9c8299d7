package dev.usp.train.cls;

import dev.usp.eval.metrics.Accuracy;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Top-k counting and cross-entropy against hand-worked examples. */
class AccuracyTest {

    @Test
    void topOneAndTopFiveOnAHandMadeBatch() {
        // 4 rows, 6 classes. Row 0: label is the max (rank 0). Row 1: label ranks 3rd (rank 2).
        // Row 2: label ranks 6th (rank 5: outside top-5). Row 3: label ranks 5th (rank 4: inside top-5).
        float[] logits = {
            9, 1, 2, 3, 4, 5,
            6, 5, 4, 1, 0, 0.5f,
            -1, 0, 1, 2, 3, 4,
            5, 4, 3, 2, 1, 0,
        };
        long[] labels = {0, 2, 0, 4};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(logits, new Shape(4, 6));
            assertArrayEquals(new long[] {1, 3, 2, 1}, Accuracy.correct(x, labels, 1, 5, 3, 2));
            // with 3 classes, top-5 is capped at top-3: every row counts
            NDArray three = m.create(new float[] {0, 1, 2, 2, 1, 0}, new Shape(2, 3));
            assertArrayEquals(new long[] {1, 2}, Accuracy.correct(three, new long[] {2, 2}, 1, 5));
            assertThrows(IllegalArgumentException.class, () -> Accuracy.correct(x, new long[] {0, 1, 6, 0}, 1));
        }
    }

    @Test
    void crossEntropyMatchesTheClosedForm() {
        // row [0, ln 3]: softmax = [1/4, 3/4]; CE(label 0) = ln 4, CE(label 1) = ln 4 - ln 3
        float l3 = (float) Math.log(3);
        double sum = Evaluation.crossEntropySum(new float[] {0, l3, 0, l3}, new long[] {0, 1});
        assertEquals(2 * Math.log(4) - Math.log(3), sum, 1e-6);
    }
}
