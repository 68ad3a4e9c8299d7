package dev.usp.eval.fdnet;

import dev.usp.core.data.FashionMnist;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.fail;

/** The real Fashion-MNIST files for tests that train or take reference statistics. */
final class FmnistData {

    private FmnistData() {
    }

    /** Fails under CI=true when the files are missing, otherwise skips with the reason. */
    static void require() {
        if (!Files.isDirectory(FashionMnist.DEFAULT_DIR)) {
            String why = FashionMnist.DEFAULT_DIR + " is missing: apt-get install dataset-fashion-mnist";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.assumeTrue(false, why);
        }
    }

    static FashionMnist load(FashionMnist.Split split) throws IOException {
        require();
        return FashionMnist.load(null, split);
    }
}
