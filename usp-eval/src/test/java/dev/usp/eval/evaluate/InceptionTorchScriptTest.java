package dev.usp.eval.evaluate;

import dev.usp.eval.io.NpzFile;
import dev.usp.eval.metrics.FeatureMatrix;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * libtorch 2.7.1 (DJL) runs a TorchScript file saved by torch 1.13 with the StyleGAN Inception
 * calling convention, and gives PyTorch's features and softmax (torch_out.npz).
 */
class InceptionTorchScriptTest {

    static Path fixture(String name) throws URISyntaxException {
        return Path.of(InceptionTorchScriptTest.class.getResource("/fixtures/eval_cli/" + name).toURI());
    }

    @Test
    void featuresAndSoftmaxEqualPytorch() throws Exception {
        try (InceptionTorchScript net = InceptionTorchScript.load(fixture("tiny_inception.pt"));
             NpzFile torch = NpzFile.open(fixture("torch_out.npz"))) {
            Features s = net.embed(ImageSources.open(fixture("images.npz"), "arr_0"));
            Features r = net.embed(ImageSources.open(fixture("images.npz"), "ref_images"));
            assertClose(FeatureMatrix.fromNpy(torch.read("features_samples"), "f"), s.pool(), 1e-4);
            assertClose(FeatureMatrix.fromNpy(torch.read("softmax_samples"), "p"), s.probabilities(), 1e-5);
            assertClose(FeatureMatrix.fromNpy(torch.read("features_reference"), "f"), r.pool(), 1e-4);
            assertClose(FeatureMatrix.fromNpy(torch.read("softmax_reference"), "p"), r.probabilities(), 1e-5);
        }
    }

    @Test
    void aFileThatIsNotTorchScriptIsAClearError() throws Exception {
        Path bogus = Files.createTempFile("not-torchscript", ".pt");
        Files.writeString(bogus, "hello");
        IOException e = assertThrows(IOException.class, () -> InceptionTorchScript.load(bogus));
        assertTrue(e.getMessage().contains(bogus.toString()), e.getMessage());
        Files.delete(bogus);
    }

    static void assertClose(FeatureMatrix want, FeatureMatrix got, double tol) {
        assertEquals(want.rows(), got.rows());
        assertEquals(want.dim(), got.dim());
        double worst = 0;
        for (int i = 0; i < want.data().length; i++) {
            double scale = Math.max(1, Math.abs(want.data()[i]));
            worst = Math.max(worst, Math.abs(want.data()[i] - got.data()[i]) / scale);
        }
        assertTrue(worst < tol, "largest difference " + worst);
    }
}
