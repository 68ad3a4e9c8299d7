package dev.usp.eval.sample;

import dev.usp.models.generation.GeneratorFamily;
import dev.usp.models.generation.GeneratorSpec;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.config.ConfigLoader;
import dev.usp.core.config.DataConfig;
import dev.usp.core.config.OptimConfig;
import dev.usp.core.config.RunConfig;
import dev.usp.core.nn.Parameter;
import dev.usp.core.testing.EngineRoot;
import dev.usp.eval.io.NpyDType;
import dev.usp.eval.io.NpyHeader;
import dev.usp.eval.io.NpzFile;
import dev.usp.models.dit.DiT;
import dev.usp.train.dit.GeneratorTrainConfig;
import dev.usp.models.generation.LatentSampler;
import dev.usp.models.generation.SamplerSettings;
import dev.usp.train.loop.Checkpoint;
import dev.usp.vae.AutoencoderKL;
import dev.usp.vae.VaeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {

    private static final GeneratorSpec DIT = new GeneratorSpec("DiT-T/2", 4, 4, 4);
    private static final GeneratorSpec SIT = new GeneratorSpec("SiT-T/2", 4, 4, 4);

    @RegisterExtension
    final EngineRoot engine = new EngineRoot();

    /** A tiny network with every weight random (the official init zeroes the output layers). */
    private DiT randomNetwork(GeneratorSpec spec, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        DiT net = spec.build(engine.manager().newSubManager());
        net.eval();
        for (Parameter p : net.trainableParameters().values()) {
            try (NDManager m = engine.manager().newSubManager()) {
                p.assign(m.randomNormal(0f, 0.1f, p.shape(), p.array().getDataType()));
            }
        }
        return net;
    }

    @Test
    void guidanceAtScaleOneIsTheUnguidedNetwork() {
        DiT net = randomNetwork(DIT, 1);
        NDArray x = engine.manager().randomNormal(new Shape(3, 4, 4, 4));
        NDArray t = engine.manager().create(new long[] {10, 500, 999});
        NDArray y = engine.manager().create(new long[] {0, 3, 1});
        NDArray plain = net.forward(x, t, y);
        NDArray viaSampler = LatentSampler.guided(net, SamplerSettings.ddpm(5)).apply(x, t, y);
        assertArrayEquals(plain.toFloatArray(), viaSampler.toFloatArray(), "scale 1 runs the plain forward");
        // the doubled batch (x, x) with labels (y, null) at scale 1 gives the conditional prediction
        NDArray doubled = net.forwardWithCfg(NDArrays.concat(new NDList(x, x)), NDArrays.concat(new NDList(t, t)),
                NDArrays.concat(new NDList(y, y.zerosLike().add(4))), 1.0).get("0:3");
        // Batch 6 instead of 3 changes how BLAS blocks the float32 sums: equal up to rounding, which
        // scales with the outputs (|plain| reaches ~7 here; on an AMD EPYC the two differ by 1.2e-5).
        float scale = plain.abs().max().getFloat();
        assertArrayEquals(plain.toFloatArray(), doubled.toFloatArray(), 1e-5f * scale);
    }

    @Test
    void guidanceTouchesThreeChannelsOrAll() {
        DiT net = randomNetwork(DIT, 2);
        NDArray x = engine.manager().randomNormal(new Shape(2, 4, 4, 4));
        NDArray t = engine.manager().create(new long[] {100, 700});
        NDArray y = engine.manager().create(new long[] {2, 1});
        NDArray cond = net.forward(x, t, y);
        NDArray three = LatentSampler.guided(net, SamplerSettings.ddpm(5).withCfg(4.0, false)).apply(x, t, y);
        NDArray all = LatentSampler.guided(net, SamplerSettings.ddpm(5).withCfg(4.0, true)).apply(x, t, y);
        assertArrayEquals(cond.get(":, 3:").toFloatArray(), three.get(":, 3:").toFloatArray(), 1e-5f,
                "DiT's rule: eps channel 3 and the variance channels pass through");
        assertFalse(close(cond.get(":, 0:3"), three.get(":, 0:3")), "channels 0-2 are guided");
        assertFalse(close(cond.get(":, 3:4"), all.get(":, 3:4")), "all channels: eps channel 3 is guided too");
        assertArrayEquals(cond.get(":, 4:").toFloatArray(), all.get(":, 4:").toFloatArray(), 1e-5f,
                "variance channels are never guided");
    }

    @Test
    void eachSampleDependsOnlyOnItsSeed() {
        for (GeneratorSpec spec : List.of(DIT, SIT)) {
            DiT net = randomNetwork(spec, 3);
            SamplerSettings s = spec.family() == GeneratorFamily.SIT ? SamplerSettings.ode("heun", 6) : SamplerSettings.ddpm(6);
            for (SamplerSettings settings : List.of(s, s.withCfg(2.5, false))) {
                Sampler sampler = new Sampler(net, settings, null, 1.0);
                SampleJob batch = new SampleJob(5, 5, 100, new int[0], 4);
                NDArray five = sampler.latents(labels(batch, 0, 5), seeds(batch, 0, 5), engine.manager());
                NDArray alone = sampler.latents(labels(batch, 3, 1), seeds(batch, 3, 1), engine.manager());
                // equal up to float rounding of batch-size-dependent matmul blocking
                assertRelativelyClose(five.get("3:4").toFloatArray(), alone.toFloatArray(), 1e-5,
                        spec.model() + " " + settings);
                assertFalse(close(five.get("2:3"), five.get("3:4")), "different seeds give different samples");
            }
        }
    }

    @Test
    void npzHoldsUint8Nhwc(@TempDir Path dir) throws IOException {
        DiT net = randomNetwork(DIT, 4);
        VaeConfig tiny = new VaeConfig(8, List.of(1, 2), 1, Set.of(), Set.of(), 4, true, 3, 3, 8, 4, 0.5);
        AutoencoderKL vae = new AutoencoderKL(engine.manager().newSubManager(), tiny);
        Sampler sampler = new Sampler(net, SamplerSettings.ddpm(3), vae, 0.5);
        SampleJob job = new SampleJob(5, 2, 7, new int[] {1, 2}, 4);
        List<byte[]> batches = new ArrayList<>();
        Path file = new SampleOutputs(dir, 4, true, true).write(sampler, job, b -> batches.add(b.uint8Nhwc()));
        assertEquals(3, batches.size());
        try (NpzFile npz = NpzFile.open(file)) {
            NpyHeader h = npz.header(NpzFile.DEFAULT_KEY);
            assertEquals(NpyDType.UINT8, h.dtype());
            assertArrayEquals(new long[] {5, 8, 8, 3}, h.shape());
            byte[] data = npz.read(NpzFile.DEFAULT_KEY).data();
            assertArrayEquals(concat(batches), data);
        }
        assertTrue(Files.isRegularFile(dir.resolve(SampleOutputs.GRID)));
        assertTrue(Files.isRegularFile(dir.resolve("images").resolve("000004.png")));
    }

    @Test
    void uint8ConversionIsTheOfficialOne() {
        // (1, 3, 1, 2): channel c, column w holds c * 2 + w; the official clamp(127.5 x + 128) truncated
        float[] v = {-1f, 0f, 1f, 0.999f, -0.0001f, 2f};
        byte[] nhwc = Sampler.toUint8Nhwc(engine.manager().create(v, new Shape(1, 3, 1, 2)));
        int[] got = new int[6];
        for (int i = 0; i < 6; i++) {
            got[i] = nhwc[i] & 0xff;
        }
        // NHWC order: (w0: c0, c1, c2), (w1: c0, c1, c2)
        assertArrayEquals(new int[] {0, 255, 127, 128, 255, 255}, got);
    }

    @Test
    void loadsTheEmaOfATrainingCheckpoint(@TempDir Path dir) throws IOException {
        DiT model = randomNetwork(SIT, 5);
        DiT ema = randomNetwork(SIT, 6);
        GeneratorTrainConfig config = new GeneratorTrainConfig("SiT-T/2", null, 4, 4, 4, 0.1, new DataConfig("cache",
                null, null, "fmnist", null, 0, 0), 8, 10, new OptimConfig("adamw", 1e-4, 0, 0, 0, 0.9, 0.999, 0, 0,
                "constant"), 0.99, "", null, -1, false, false, 0, 4, 5, null, "sd", new RunConfig(dir, "run", 1, 0, 2,
                false), 0);
        Path file = dir.resolve("step.safetensors");
        new Checkpoint(10, 0, 0, ConfigLoader.toYaml(config), Map.of("model", model.stateDict(), "ema",
                ema.stateDict()), Map.of()).write(file);
        assertEquals(SIT, GeneratorLoader.specOf(file));
        GeneratorLoader.Loaded loaded = GeneratorLoader.load(file, null, null, engine.manager());
        assertEquals("ema", loaded.entry());
        String k = "blocks.2.mlp.fc1.weight";
        assertArrayEquals(ema.stateDict().get(k).toFloatArray(), loaded.model().stateDict().get(k).toFloatArray());
        assertFalse(loaded.model().isTraining(), "sampling networks are in eval mode (no label dropout)");
        GeneratorLoader.Loaded raw = GeneratorLoader.load(file, null, "model", engine.manager());
        assertArrayEquals(model.stateDict().get(k).toFloatArray(), raw.model().stateDict().get(k).toFloatArray());
    }

    private static int[] labels(SampleJob job, int from, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = job.label(from + i);
        }
        return out;
    }

    private static long[] seeds(SampleJob job, int from, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = job.seed(from + i);
        }
        return out;
    }

    private static void assertRelativelyClose(float[] expected, float[] actual, double rel, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 1e-30;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= rel * scale, what + ": max difference " + worst + " vs largest value " + scale);
    }

    private static boolean close(NDArray a, NDArray b) {
        float[] x = a.toFloatArray();
        float[] y = b.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            if (Math.abs(x[i] - y[i]) > 1e-4) {
                return false;
            }
        }
        return true;
    }

    private static byte[] concat(List<byte[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        byte[] out = new byte[n];
        int k = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, k, p.length);
            k += p.length;
        }
        return out;
    }
}
