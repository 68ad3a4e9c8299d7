package dev.usp.eval.io;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Locates the files written by scripts/fixtures/eval_metrics.py. */
public final class Fixtures {

    private Fixtures() {
    }

    /** A file under src/test/resources/fixtures/eval_metrics/. */
    public static Path path(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/eval_metrics/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing fixture " + name + "; run scripts/fixtures/eval_metrics.py", e);
        }
    }
}
