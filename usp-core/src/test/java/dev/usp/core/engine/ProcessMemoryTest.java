package dev.usp.core.engine;

import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading VmRSS / VmHWM from a status text and from this process. */
class ProcessMemoryTest {

    private static final String STATUS = "Name:\tjava\nVmPeak:\t 999999 kB\nVmHWM:\t  200000 kB\nVmRSS:\t  123456 kB\n";

    @Test
    void readsTheNamedFieldInKilobytes() throws IOException {
        assertEquals(123456, ProcessMemory.field(STATUS, "VmRSS"));
        assertEquals(200000, ProcessMemory.field(STATUS, "VmHWM"));
        IOException e = assertThrows(IOException.class, () -> ProcessMemory.field("Name:\tjava\n", "VmRSS"));
        assertTrue(e.getMessage().contains("VmRSS"), e.getMessage());
    }

    @Test
    void thisProcessHasAResidentSetBelowItsPeak() throws IOException {
        long rss = ProcessMemory.rssKb();
        assertTrue(rss > 10_000, "VmRSS " + rss + " kB");
        assertTrue(ProcessMemory.peakRssKb() >= rss);
    }
}
