package dev.usp.eval.deps;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Apache Commons jars that DJL brings in transitively are the releases the parent pom pins
 * (commons-compress before 1.26.0 has CVE-2024-25710 and CVE-2024-26308).
 */
class PinnedCommonsTest {

    @Test
    void commonsJarsOnTheClasspathAreAtLeastTheFixedReleases() {
        assertAtLeast("commons-compress", org.apache.commons.compress.archivers.ArchiveStreamFactory.class, "1.26.0");
        assertAtLeast("commons-io", org.apache.commons.io.IOUtils.class, "2.14.0");
        assertAtLeast("commons-codec", org.apache.commons.codec.binary.Base64.class, "1.17.1");
    }

    private static void assertAtLeast(String jar, Class<?> member, String minimum) {
        String version = member.getPackage().getImplementationVersion();
        assertNotNull(version, jar + ": its manifest has no Implementation-Version");
        assertTrue(compare(version, minimum) >= 0, jar + " " + version + " is on the classpath; need >= " + minimum);
    }

    private static int compare(String a, String b) {
        String[] x = a.split("[.-]");
        String[] y = b.split("[.-]");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? leadingInt(x[i]) : 0;
            int q = i < y.length ? leadingInt(y[i]) : 0;
            if (p != q) {
                return Integer.compare(p, q);
            }
        }
        return 0;
    }

    private static int leadingInt(String part) {
        String digits = part.replaceAll("\\D.*", "");
        return digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }
}
