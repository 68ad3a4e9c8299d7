package dev.usp.models.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** dopri5 stops with a clear error on a non-finite drift, impossible tolerances and its step limit. */
class Dopri5LimitsTest {

    private static void assertMentions(Exception e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
        }
    }

    @Test
    void nanDriftFailsAtOnceNamingTimeAndSteps() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, -2f, 0.5f});
            long start = System.nanoTime();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Integrators.dopri5((y, t) -> y.mul(Float.NaN), x, 0.0, 1.0, 1e-6, 1e-3));
            assertTrue(System.nanoTime() - start < 1_000_000_000L, "took " + (System.nanoTime() - start) / 1e6 + " ms");
            assertMentions(e, "dopri5 stopped at t = 0.0 after 0 steps", "the drift f(x, t) at t = 0.0", "NaN or infinite");
            assertEquals(1, m.getManagedArrays().size(), "only the initial value is left");
        }
    }

    @Test
    void driftTurningNonFiniteMidwayNamesWhereItHappened() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, -2f, 0.5f});
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Integrators.dopri5((y, t) -> t > 0.5 ? y.mul(Float.POSITIVE_INFINITY) : y.mul(-1f),
                            x, 0.0, 1.0, 1e-6, 1e-3));
            assertMentions(e, "the drift f(x, t) at t = 0.", "NaN or infinite");
            assertTrue(!e.getMessage().contains("after 0 steps"), e.getMessage());
        }
    }

    @Test
    void zeroOrBadTolerancesAreRefusedUpFront() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f});
            OdeFn never = (y, t) -> {
                throw new AssertionError("the drift must not run");
            };
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> Integrators.dopri5(never, x, 0.0, 1.0, 0, 0)), "atol 0 and rtol 0", "one of them > 0");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> Integrators.dopri5(never, x, 0.0, 1.0, -1e-6, 1e-3)), "tolerances >= 0", "atol -1.0E-6");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> Integrators.dopri5(never, x, 0.0, 1.0, Double.NaN, 1e-3)), "finite tolerances");
            assertMentions(assertThrows(IllegalArgumentException.class,
                    () -> Integrators.dopri5(never, x, 0.0, 1.0, 1e-6, 1e-3, 0)), "max steps >= 1");
        }
    }

    @Test
    void stepLimitStopsTheSolverWithTheLimitInTheMessage() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new double[] {1.0, -2.0, 0.5});
            // dx/dt = -cos(20 t) x needs far more than 5 steps at these tolerances
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Integrators.dopri5((y, t) -> y.mul(-20 * Math.cos(20 * t)), x, 0.0, 2.0, 1e-9, 1e-7, 5));
            assertMentions(e, "limit of 5 steps", "atol 1.0E-9, rtol 1.0E-7", "--max-steps");
            assertEquals(1, m.getManagedArrays().size(), "only the initial value is left");
            assertEquals(10_000, Integrators.DEFAULT_MAX_STEPS);
        }
    }

    @Test
    void sampleOdePassesTheLimitOn() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(new float[] {1f, -2f, 0.5f, 0.1f}, new Shape(2, 2));
            VelocityFn wild = (x, t, y) -> x.mul((float) (-50 * Math.cos(50 * t.toFloatArray()[0])));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Transport.sampleOde(wild, null, z, "dopri5", 50, 1e-6, 1e-3, 2));
            assertMentions(e, "limit of 2 steps");
        }
    }
}
