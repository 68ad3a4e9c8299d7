package dev.usp.core.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe of issue 13 as a test: {@code y = conv2d(x, w, pad 1)}, loss {@code sum(y * r)}.
 * Autograd's input gradient must equal the same gradient computed as a forward convolution,
 * {@code conv2d(r, w.flip(2, 3).transpose(1, 0), pad 1)}, and the weight gradient the float64
 * one; over batch 1-4 and 1-16 channels, where oneDNN's padded-block backward-data kernel was off
 * by up to 1,240% on an AMD EPYC.
 */
class ConvolutionsTest {

    private static final Logger LOG = LoggerFactory.getLogger(ConvolutionsTest.class);
    private static final int[] BATCHES = {1, 2, 4};
    private static final int[] CHANNELS = {1, 3, 8, 16};

    @AfterEach
    void restoreDefault() {
        Numerics.use(Numerics.requested());
    }

    @ParameterizedTest
    @EnumSource(value = Numerics.ConvKernels.class, names = {"ONEDNN_PADDED", "NATIVE"})
    void inputAndWeightGradientsAreRightWithTheKernelsThisProjectUses(Numerics.ConvKernels kernels) {
        Numerics.use(kernels);
        for (int n : BATCHES) {
            for (int c : CHANNELS) {
                double[] err = probe(n, c);
                assertTrue(err[0] < 1e-5, kernels + " N=" + n + " C=" + c + ": input gradient off by " + err[0]);
                assertTrue(err[1] < 1e-5, kernels + " N=" + n + " C=" + c + ": weight gradient off by " + err[1]);
            }
        }
    }

    @Test
    void whereOneDnnAsLibtorchUsesItIsWrongTheSelfCheckSaysSo() {
        Numerics.use(Numerics.ConvKernels.ONEDNN);
        double worst = 0;
        for (int n : BATCHES) {
            for (int c : CHANNELS) {
                double e = Math.max(probe(n, c)[0], probe(n, c)[1]);
                worst = e > worst || e != e ? e : worst;
            }
        }
        NumericsSelfCheck.Error check = NumericsSelfCheck.run().get(0);
        LOG.info("plain oneDNN on this CPU: worst probe error {}; self-check worst {} ({})", worst, check.relative(),
                check.what());
        if (!(worst < 1e-4)) {
            assertTrue(check.failed(), "the probe found oneDNN wrong (" + worst + ") but the self-check passed it");
        }
    }

    @Test
    void paddedChannelsGiveTheUnpaddedNumbers() {
        Numerics.use(Numerics.ConvKernels.ONEDNN_PADDED);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = data(m, new Shape(2, 3, 5, 5), 1);
            NDArray w = data(m, new Shape(5, 3, 3, 3), 2);
            NDArray b = data(m, new Shape(5), 3);
            NDArray plain = Convolutions.conv2d(x, w, b, 2, 1);
            x.setRequiresGradient(true);
            NDArray padded;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                padded = Convolutions.conv2d(x, w, b, 2, 1);
                gc.backward(padded.sum());
            }
            assertEquals(new Shape(2, 5, 3, 3), padded.getShape());
            assertTrue(plain.sub(padded).abs().max().getFloat() < 1e-6f, "same output on 16 padded channels");
        }
    }

    /** [relative error of the input gradient, of the weight gradient] of the probe at (n, c). */
    private static double[] probe(int n, int c) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = data(m, new Shape(n, c, 8, 8), 10 + c);
            NDArray w = data(m, new Shape(c, c, 3, 3), 20 + c);
            NDArray r = data(m, new Shape(n, c, 8, 8), 30 + c);
            NDArray[] grads = gradients(x, w, r);
            NDArray viaForward = Convolutions.conv2d(r, w.flip(2, 3).transpose(1, 0, 2, 3), null, 1, 1);
            NDArray[] exact = gradients(x.toType(DataType.FLOAT64, false), w.toType(DataType.FLOAT64, false),
                    r.toType(DataType.FLOAT64, false));
            return new double[] {relative(grads[0], viaForward), relative(grads[1], exact[1])};
        }
    }

    private static NDArray[] gradients(NDArray x0, NDArray w0, NDArray r) {
        NDArray x = x0.duplicate();
        NDArray w = w0.duplicate();
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(Convolutions.conv2d(x, w, null, 1, 1).mul(r).sum());
        }
        return new NDArray[] {x.getGradient(), w.getGradient()};
    }

    private static double relative(NDArray a, NDArray b) {
        double[] x = a.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] y = b.toType(DataType.FLOAT64, false).toDoubleArray();
        return NumericsSelfCheck.relativeError(x, y);
    }

    private static NDArray data(NDManager m, Shape shape, long seed) {
        float[] v = new float[(int) shape.size()];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return HostArrays.floats(m, v, shape);
    }
}
