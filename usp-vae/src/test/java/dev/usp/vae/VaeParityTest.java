package dev.usp.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.weights.StateDict;
import dev.usp.vae.weights.Naming;
import dev.usp.vae.weights.VaeWeights;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Encoder moments and decoder output equal PyTorch's (scripts/fixtures/vae.py) for every weight naming. */
class VaeParityTest {

    @ParameterizedTest
    @CsvSource({
            "tiny, ldm_prefixed, LDM",
            "tiny, diffusers_new, DIFFUSERS",
            "tiny, diffusers_old, DIFFUSERS_LEGACY_ATTENTION",
            "sdshape, ldm, LDM",
            "sdshape, diffusers_old, DIFFUSERS_LEGACY_ATTENTION"})
    void matchesPyTorch(String model, String file, Naming naming) throws IOException {
        VaeConfig config = model.equals("tiny") ? Fixtures.TINY : Fixtures.SDSHAPE;
        try (NDManager m = NDManager.newBaseManager();
             StateDict weights = Fixtures.read(model, file, m);
             StateDict io = Fixtures.read(model, "io", m);
             AutoencoderKL vae = new AutoencoderKL(m.newSubManager(), config)) {
            VaeWeights.Result r = VaeWeights.loadInto(vae, weights);
            assertEquals(naming, r.naming());
            assertEquals(file.equals("ldm_prefixed") ? List.of("loss.logvar") : List.of(), r.ignored());
            check(vae, io);
        }
    }

    static void check(AutoencoderKL vae, StateDict io) {
        try (NDManager step = vae.manager().newSubManager()) {
            NDArray x = io.get("x").duplicate();
            x.attach(step);
            DiagonalGaussian post = vae.encode(x);
            Fixtures.assertClose("mean", io.get("mean"), post.mean());
            Fixtures.assertClose("logvar", io.get("logvar"), post.logvar());
            Fixtures.assertClose("sample", io.get("z"), post.sample(zNoise(io, step)));
            NDArray z = io.get("z").duplicate();
            z.attach(step);
            Fixtures.assertClose("decoded", io.get("decoded"), vae.decode(z));
        }
    }

    /** The standard normal noise the script drew: (z - mean) / std, from PyTorch's own tensors. */
    private static NDArray zNoise(StateDict io, NDManager step) {
        NDArray noise = io.get("z").sub(io.get("mean")).div(io.get("logvar").mul(0.5).exp());
        noise.attach(step);
        return noise;
    }
}
