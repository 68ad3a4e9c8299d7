package dev.usp.dist;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The shim's symbol table, both backends, equals what g++ mangles from declarations shaped like
 * libtorch 2.7.1's headers (the fixture {@code c10d-symbols.txt}, written by
 * {@code src/test/native/c10d-symbols.sh}, which also checks a library's exports against it).
 */
class ShimSymbolTableTest {

    @Test
    void theShimLooksUpExactlyTheNamesTheDeclarationsMangleTo() throws IOException {
        Shim shim = TorchLibraries.loadShim();
        List<String> table = new ArrayList<>();
        for (Backend backend : Backend.values()) {
            String name = backend.name().toLowerCase(Locale.ROOT);
            for (int role = 0; role < 9; role++) {
                table.add(name + " " + shim.usp_role(role) + " " + shim.usp_symbol(backend.id(), role));
            }
            String alternative = shim.usp_symbol(backend.id(), 9);
            if (!alternative.isEmpty()) {
                table.add(name + " group-ctor-alt " + alternative);
            }
        }
        assertEquals(fixture(), table);
        assertNull(shim.usp_symbol(2, 0));
        assertNull(shim.usp_role(9));
    }

    private static List<String> fixture() throws IOException {
        try (InputStream in = ShimSymbolTableTest.class.getResourceAsStream("c10d-symbols.txt")) {
            assertNotNull(in, "c10d-symbols.txt");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
