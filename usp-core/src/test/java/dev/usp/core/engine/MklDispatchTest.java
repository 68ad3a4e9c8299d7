package dev.usp.core.engine;

import dev.usp.core.testing.ForkedJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * oneMKL's code path, each case in a fresh JVM (MKL decides once per process): chosen by
 * instruction set when applied before the first product, left alone when applied after one or when
 * {@code vendor} is asked for, and exact to float32 rounding on every path.
 */
class MklDispatchTest {

    private static final Pattern LINE = Pattern.compile("outcome=(\\w+) path=(-?\\d+) error=(\\S+)");
    private static final boolean INTEL = MklDispatch.vendor().equals("GenuineIntel");

    @Test
    void appliedFirstChoosesByInstructionSet() throws Exception {
        Matcher m = probe("first");
        assertEquals(INTEL ? "INTEL" : "FEATURES", m.group(1));
        if (!INTEL) {
            assertTrue(Integer.parseInt(m.group(2)) > 0, "MKL code path " + m.group(2) + " with the vendor answer set");
        }
        assertTrue(Double.parseDouble(m.group(3)) < 1e-5, "float32 product error " + m.group(3));
    }

    @Test
    void appliedAfterAProductChangesNothing() throws Exception {
        Matcher m = probe("late");
        assertEquals(INTEL ? "INTEL" : "TOO_LATE", m.group(1));
        assertTrue(Double.parseDouble(m.group(3)) < 1e-5, "float32 product error " + m.group(3));
    }

    @Test
    void vendorLeavesMklAsShipped() throws Exception {
        Matcher m = probe("first", "-Dusp.mkl=vendor");
        assertEquals("VENDOR", m.group(1));
        assertEquals("-1", m.group(2), "MKL had not detected the CPU when apply() ran");
        assertTrue(Double.parseDouble(m.group(3)) < 1e-5, "float32 product error " + m.group(3));
    }

    @Test
    void anUnknownChoiceIsRefusedByName() throws Exception {
        ForkedJvm.Result r = ForkedJvm.of(MklDispatchProbe.class).jvmArgs("-Dusp.mkl=fast").args("first").run();
        assertTrue(r.exitCode() != 0, ForkedJvm.tail(r.output()));
        assertTrue(r.output().contains("MKL dispatch 'fast' (from -Dusp.mkl or USP_MKL) is unknown"),
                ForkedJvm.tail(r.output()));
    }

    private static Matcher probe(String when, String... jvmArgs) throws IOException, InterruptedException {
        return ForkedJvm.of(MklDispatchProbe.class).jvmArgs(jvmArgs).args(when).runAndFind(LINE);
    }
}
