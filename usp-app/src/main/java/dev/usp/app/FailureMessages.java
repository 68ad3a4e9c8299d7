package dev.usp.app;

/**
 * Turns whatever a command threw into the one line the user reads: the project's own messages
 * as they are (they name the file, key and limit), and for the JVM's errors, which carry no
 * such message, what happened and what to change.
 */
final class FailureMessages {

    private FailureMessages() {
    }

    /** One line, never empty, never a stack trace. */
    static String oneLine(Throwable t) {
        String text;
        if (t instanceof OutOfMemoryError) {
            text = "out of memory (" + t.getMessage() + "): the input or the configuration needs more than this JVM "
                    + "may use (" + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB heap); give more with "
                    + "USP_JAVA_OPTS=-Xmx<size>, or use a smaller batch or input";
        } else if (t instanceof StackOverflowError) {
            text = "stack overflow: an input nests deeper than this program can follow (please report the input)";
        } else {
            text = messageOf(t);
        }
        return text.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    private static String messageOf(Throwable t) {
        Throwable at = t;
        while (at != null) {
            String m = at.getMessage();
            if (m != null && !m.isBlank()) {
                return at == t || t.getMessage() != null ? m : t.getClass().getSimpleName() + ": " + m;
            }
            at = at.getCause();
        }
        return t.getClass().getName() + " (no message)";
    }
}
