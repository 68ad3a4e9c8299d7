package dev.usp.core.engine;

import dev.usp.core.testing.ForkedJvm;
import org.junit.jupiter.api.Test;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * glibc's handling of tensor memory, each case in a fresh JVM holding three 40 MiB tensors: with
 * {@code retain} they come from malloc's arenas (which keep freed memory for the next step), with
 * glibc's defaults each is a mapping of its own, unmapped at free (so the next one faults its pages
 * in again). What that costs per step is measured by scripts/bench.sh ({@code --malloc}).
 */
class MallocTuningTest {

    private static final Pattern LINE = Pattern.compile("applied=(.*) mmapped=(\\d+)");
    private static final long TENSOR_BYTES = (long) MallocTuningProbe.MIB << 20;

    @Test
    void retainServesLargeTensorsFromTheArenas() throws Exception {
        Matcher m = probe();
        assertTrue(m.group(1).startsWith("retain"), m.group(0));
        assertTrue(Long.parseLong(m.group(2)) < TENSOR_BYTES, m.group(0));
    }

    @Test
    void glibcDefaultsMapEachLargeTensorOnItsOwn() throws Exception {
        Matcher m = probe("-Dusp.malloc=default");
        assertTrue(m.group(1).startsWith("default (glibc"), m.group(0));
        assertTrue(Long.parseLong(m.group(2)) >= MallocTuningProbe.TENSORS * TENSOR_BYTES, m.group(0));
    }

    @Test
    void anUnknownSettingIsRefusedByName() throws Exception {
        ForkedJvm.Result r = ForkedJvm.of(MallocTuningProbe.class).jvmArgs("-Dusp.malloc=huge").run();
        assertTrue(r.exitCode() != 0, ForkedJvm.tail(r.output()));
        assertTrue(r.output().contains("malloc setting 'huge' (from -Dusp.malloc or USP_MALLOC) is unknown"),
                ForkedJvm.tail(r.output()));
    }

    private static Matcher probe(String... jvmArgs) throws Exception {
        return ForkedJvm.of(MallocTuningProbe.class).jvmArgs(jvmArgs).runAndFind(LINE);
    }
}
