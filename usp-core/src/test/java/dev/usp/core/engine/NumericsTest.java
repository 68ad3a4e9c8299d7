package dev.usp.core.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The self-check passes on this machine with the default kernels, once per process, and the setting is parsed strictly. */
class NumericsTest {

    @Test
    void selfCheckPassesWithTheDefaultKernelsAndRunsOnce() {
        Numerics.Report report = Numerics.ensure();
        assertEquals(Numerics.requested(), report.kernels());
        assertTrue(report.worstError() < NumericsSelfCheck.TOLERANCE, report.summary());
        assertSame(report, Numerics.ensure());
        assertEquals(36, NumericsSelfCheck.run().size(), "9 cases, each its output and 3 input gradients");
    }

    @Test
    void theSettingIsParsedStrictly() {
        String before = System.getProperty(Numerics.PROPERTY);
        try {
            System.setProperty(Numerics.PROPERTY, "Native");
            assertEquals(Numerics.ConvKernels.NATIVE, Numerics.requested());
            System.setProperty(Numerics.PROPERTY, "mkl");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Numerics::requested);
            assertTrue(e.getMessage().contains("'mkl'") && e.getMessage().contains("onednn-padded"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty(Numerics.PROPERTY);
            } else {
                System.setProperty(Numerics.PROPERTY, before);
            }
        }
    }

    @Test
    void relativeErrorTreatsNaNAsFailure() {
        assertTrue(new NumericsSelfCheck.Error("x", NumericsSelfCheck.relativeError(
                new double[] {1, Double.NaN, 1}, new double[] {1, 1, 1})).failed());
        assertEquals(0.5, NumericsSelfCheck.relativeError(new double[] {1, 3}, new double[] {1, 2}));
    }
}
