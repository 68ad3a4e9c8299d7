package dev.usp.core.testing;

import dev.usp.core.data.FashionMnist;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.fail;

/** The real Fashion-MNIST files (Debian's dataset-fashion-mnist) that tests read. */
public final class FashionMnistFiles {

    private FashionMnistFiles() {
    }

    /** Fails under CI=true when the files are missing (CI installs them), otherwise skips with the reason. */
    public static void require() {
        if (!Files.isDirectory(FashionMnist.DEFAULT_DIR)) {
            String why = FashionMnist.DEFAULT_DIR + " is missing: apt-get install dataset-fashion-mnist";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.assumeTrue(false, why);
        }
    }
}
