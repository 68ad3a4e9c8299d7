package dev.usp.eval.fdnet;

import dev.usp.core.data.FashionMnist;
import dev.usp.core.testing.FashionMnistFiles;

import java.io.IOException;


/** The real Fashion-MNIST files for tests that train or take reference statistics. */
final class FmnistData {

    private FmnistData() {
    }

    /** Fails under CI=true when the files are missing, otherwise skips with the reason. */
    static void require() {
        FashionMnistFiles.require();
    }

    static FashionMnist load(FashionMnist.Split split) throws IOException {
        require();
        return FashionMnist.load(null, split);
    }
}
