package dev.usp.core.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JUnit extension ({@code @RegisterExtension}): System.err captured during each test, restored after it. */
public final class CapturedStderr implements BeforeEachCallback, AfterEachCallback {

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private PrintStream saved;

    @Override
    public void beforeEach(ExtensionContext context) {
        saved = System.err;
        buffer.reset();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        System.setErr(saved);
    }

    /** What was written since the test began or since the last {@link #take()}. */
    public String text() {
        return buffer.toString(StandardCharsets.UTF_8);
    }

    /** What was written since the test began or since the last {@link #take()}, and forgets it. */
    public String take() {
        String text = buffer.toString(StandardCharsets.UTF_8);
        buffer.reset();
        return text;
    }

    /**
     * Asserts what a failed command shows: a non-zero exit code, exactly one {@code error:} line
     * containing every fragment, no stack trace; then forgets the text.
     */
    public void assertFailure(int exitCode, String... fragments) {
        String text = take();
        assertTrue(exitCode != 0, "exit code 0; stderr: " + text);
        List<String> errors = text.lines().filter(l -> l.startsWith("error: ")).toList();
        assertEquals(1, errors.size(), "one error line expected in: " + text);
        for (String f : fragments) {
            assertTrue(errors.get(0).contains(f), "'" + f + "' missing from: " + errors.get(0));
        }
        assertFalse(text.contains("\tat "), "stack trace printed: " + text);
    }
}
