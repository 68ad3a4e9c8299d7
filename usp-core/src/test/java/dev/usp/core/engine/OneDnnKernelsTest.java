package dev.usp.core.engine;

import dev.usp.core.testing.ForkedJvm;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which oneDNN kernels run, read from oneDNN's own verbose log: only convolutions (and the
 * reorders into their layouts) go through oneDNN here; linear layers, attention, layer and batch
 * norm and pooling run on libtorch's own kernels. And with the default kernels no convolution
 * computes an input gradient (backward_data) on channels oneDNN padded itself ({@code ap:}
 * layouts), the kernel that was wrong on an AMD EPYC.
 */
class OneDnnKernelsTest {

    @Test
    void onlyConvolutionsUseOneDnnAndNoBackwardDataRunsOnPaddedChannels() throws Exception {
        ForkedJvm.Result r = ForkedJvm.of(OneDnnKernelsProbe.class).env("ONEDNN_VERBOSE", "1").run();
        assertEquals(0, r.exitCode(), ForkedJvm.tail(r.output()));
        assertTrue(r.output().contains("probe done"), ForkedJvm.tail(r.output()));
        List<String> exec = r.output().lines().filter(l -> l.startsWith("onednn_verbose") && l.contains(",exec,"))
                .toList();
        Set<String> primitives = new TreeSet<>();
        exec.forEach(l -> primitives.add(l.split(",")[5]));
        assertTrue(Set.of("convolution", "reorder").containsAll(primitives), "oneDNN ran " + primitives);
        List<String> backwardData = exec.stream().filter(l -> l.contains(",convolution,") && l.contains("backward_data"))
                .toList();
        assertTrue(!backwardData.isEmpty() || exec.isEmpty(), "the probe computes input gradients");
        for (String line : backwardData) {
            assertTrue(!line.contains(":ap:"), "backward_data on oneDNN-padded channels: " + line);
        }
    }
}
