package dev.usp.core.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused kernels against the formulas they replace, evaluated in float64: outputs and every input
 * gradient (autograd through the fused op), the AdamW update over two steps, and eigh's decomposition.
 */
class KernelsTest {

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    @Test
    void theFusedKernelsAreInUseOnThisMachine() {
        assertTrue(Kernels.fused(), "the shim did not load: " + KernelShim.load());
        assertTrue(Kernels.describe().startsWith("fused"));
    }

    @Test
    void tanhGeluAndItsGradientEqualTheFormula() {
        checkUnary(Kernels::geluTanh, x -> {
            NDArray inner = x.add(x.pow(3).mul(0.044715)).mul(SQRT_2_OVER_PI);
            return x.mul(0.5).mul(inner.tanh().add(1));
        });
    }

    @Test
    void siluAndItsGradientEqualTheFormula() {
        checkUnary(Kernels::silu, x -> x.mul(Activation.sigmoid(x)));
    }

    @Test
    void groupNormAndItsThreeGradientsEqualTheFormula() {
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 2;
            int c = 12;
            int groups = 4;
            NDArray x = random(m, new Shape(n, c, 5, 7), 1).mul(3).add(1);
            NDArray w = random(m, new Shape(c), 2);
            NDArray b = random(m, new Shape(c), 3);
            NDArray r = random(m, x.getShape(), 4);
            NDArray[] fused = withGrads(List.of(x, w, b), r, in -> Kernels.groupNorm(in.get(0), groups, in.get(1),
                    in.get(2), 1e-6));
            NDArray[] exact = withGrads(List.of(x, w, b).stream().map(a -> a.toType(DataType.FLOAT64, false)).toList(),
                    r.toType(DataType.FLOAT64, false), in -> {
                        NDArray g = in.get(0).reshape(n, groups, -1);
                        NDArray mean = g.mean(new int[] {2}, true);
                        NDArray var = g.sub(mean).square().mean(new int[] {2}, true);
                        NDArray norm = g.sub(mean).div(var.add(1e-6).sqrt()).reshape(x.getShape());
                        return norm.mul(in.get(1).reshape(1, c, 1, 1)).add(in.get(2).reshape(1, c, 1, 1));
                    });
            for (int i = 0; i < fused.length; i++) {
                assertClose(exact[i], fused[i], 2e-5, "group_norm output/gradient " + i);
            }
        }
    }

    @Test
    void attentionAndItsThreeGradientsEqualSoftmaxAttention() {
        try (NDManager m = NDManager.newBaseManager()) {
            Shape shape = new Shape(2, 3, 17, 8);   // (B, H, N, d)
            double scale = Math.pow(8, -0.5);
            NDArray q = random(m, shape, 1).mul(2);
            NDArray k = random(m, shape, 2);
            NDArray v = random(m, shape, 3);
            NDArray r = random(m, shape, 4);
            NDArray[] fused = withGrads(List.of(q, k, v), r, in -> Kernels.attention(in.get(0), in.get(1), in.get(2),
                    scale));
            NDArray[] exact = withGrads(List.of(q, k, v).stream().map(a -> a.toType(DataType.FLOAT64, false)).toList(),
                    r.toType(DataType.FLOAT64, false), in -> in.get(0).matMul(in.get(1).transpose(0, 1, 3, 2))
                            .mul(scale).softmax(-1).matMul(in.get(2)));
            for (int i = 0; i < fused.length; i++) {
                assertClose(exact[i], fused[i], 2e-6, "attention output/gradient " + i);
            }
        }
    }

    @Test
    void fusedAdamwTakesTorchsAdamwStepTwice() {
        try (NDManager m = NDManager.newBaseManager()) {
            double lr = 1e-3;
            double b1 = 0.9;
            double b2 = 0.95;
            double wd = 0.05;
            double eps = 1e-8;
            List<NDArray> params = List.of(random(m, new Shape(7, 5), 1), random(m, new Shape(33), 2));
            List<NDArray> moments1 = params.stream().map(p -> p.zerosLike()).toList();
            List<NDArray> moments2 = params.stream().map(p -> p.zerosLike()).toList();
            double[][] p = params.stream().map(a -> a.toType(DataType.FLOAT64, false).toDoubleArray())
                    .toArray(double[][]::new);
            double[][] ma = new double[2][];
            double[][] va = new double[2][];
            for (int i = 0; i < 2; i++) {
                ma[i] = new double[p[i].length];
                va[i] = new double[p[i].length];
            }
            for (int step = 1; step <= 2; step++) {
                List<NDArray> grads = List.of(random(m, new Shape(7, 5), 10 + step), random(m, new Shape(33), 20 + step));
                NDArray stepArray = m.create((float) step);
                Kernels.adamw(params, grads, moments1, moments2, List.of(stepArray, stepArray), lr, b1, b2, wd, eps);
                for (int i = 0; i < 2; i++) {
                    double[] g = grads.get(i).toType(DataType.FLOAT64, false).toDoubleArray();
                    for (int k = 0; k < g.length; k++) {
                        p[i][k] *= 1 - lr * wd;
                        ma[i][k] = b1 * ma[i][k] + (1 - b1) * g[k];
                        va[i][k] = b2 * va[i][k] + (1 - b2) * g[k] * g[k];
                        double denom = Math.sqrt(va[i][k]) / Math.sqrt(1 - Math.pow(b2, step)) + eps;
                        p[i][k] -= lr / (1 - Math.pow(b1, step)) * ma[i][k] / denom;
                    }
                }
            }
            for (int i = 0; i < 2; i++) {
                double[] got = params.get(i).toType(DataType.FLOAT64, false).toDoubleArray();
                double[] m1 = moments1.get(i).toType(DataType.FLOAT64, false).toDoubleArray();
                for (int k = 0; k < got.length; k++) {
                    assertEquals(p[i][k], got[k], 1e-6, "parameter " + i + "[" + k + "]");
                    assertEquals(ma[i][k], m1[k], 1e-6, "exp_avg " + i + "[" + k + "]");
                }
            }
        }
    }

    @Test
    void eigvalshGivesTheSpectrumOfASymmetricMatrixAscending() {
        try (NDManager m = NDManager.newBaseManager()) {
            int n = 48;
            // Q diag(l) Q^T with Q orthogonal (a Householder reflection) and known l
            NDArray u = random(m, new Shape(n, 1), 5).toType(DataType.FLOAT64, false);
            NDArray q = m.eye(n, n, 0, DataType.FLOAT64).sub(u.matMul(u.transpose()).mul(2).div(u.square().sum()));
            double[] want = new double[n];
            for (int i = 0; i < n; i++) {
                want[i] = (i - 10) * 0.37;
            }
            NDArray l = HostArrays.doubles(m, want, new Shape(1, n));
            NDArray a = q.mul(l).matMul(q.transpose());
            assertArrayEquals(want, Kernels.eigvalsh(a).toDoubleArray(), 1e-12);
        }
    }

    @Test
    void foreachZeroZeroesEveryArray() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<NDArray> arrays = List.of(random(m, new Shape(3, 4), 1), random(m, new Shape(5), 2));
            Kernels.zero(arrays);
            for (NDArray a : arrays) {
                assertArrayEquals(new float[(int) a.size()], a.toFloatArray());
            }
        }
    }

    @Test
    void aKernelErrorNamesTheOperatorAndTheCause() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.zeros(new Shape(2, 6, 3));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Kernels.groupNorm(x, 4, m.ones(new Shape(6)), m.zeros(new Shape(6)), 1e-6));
            assertTrue(e.getMessage().startsWith("group_norm: ") && e.getMessage().contains("groups"), e.getMessage());
            NDArray notSquare = m.zeros(new Shape(2, 3), DataType.FLOAT64);
            e = assertThrows(IllegalStateException.class, () -> Kernels.eigvalsh(notSquare));
            assertTrue(e.getMessage().startsWith("linalg_eigvalsh: "), e.getMessage());
        }
    }

    private static void checkUnary(Function<NDArray, NDArray> fused, Function<NDArray, NDArray> formula) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = random(m, new Shape(4, 16, 96), 7).mul(3);
            NDArray r = random(m, x.getShape(), 8);
            NDArray[] got = withGrads(List.of(x), r, in -> fused.apply(in.get(0)));
            NDArray[] want = withGrads(List.of(x.toType(DataType.FLOAT64, false)), r.toType(DataType.FLOAT64, false),
                    in -> formula.apply(in.get(0)));
            assertClose(want[0], got[0], 2e-6, "output");
            assertClose(want[1], got[1], 2e-6, "input gradient");
        }
    }

    /** {@code f(inputs)} and the gradient of {@code sum(f * r)} for every input. */
    private static NDArray[] withGrads(List<NDArray> inputs, NDArray r, Function<List<NDArray>, NDArray> f) {
        List<NDArray> leaves = inputs.stream().map(a -> a.duplicate()).toList();
        leaves.forEach(a -> a.setRequiresGradient(true));
        NDArray[] out = new NDArray[leaves.size() + 1];
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = f.apply(leaves);
            gc.backward(y.mul(r).sum());
            out[0] = y.stopGradient();
        }
        for (int i = 0; i < leaves.size(); i++) {
            out[i + 1] = leaves.get(i).getGradient().duplicate();
        }
        return out;
    }

    private static void assertClose(NDArray want, NDArray got, double tol, String what) {
        assertArrayEquals(want.getShape().getShape(), got.getShape().getShape(), what + " shape");
        double[] w = want.toType(DataType.FLOAT64, false).toDoubleArray();
        double[] g = got.toType(DataType.FLOAT64, false).toDoubleArray();
        double scale = 0;
        for (double v : w) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < w.length; i++) {
            assertEquals(w[i], g[i], tol * Math.max(1, scale), what + "[" + i + "]");
        }
    }

    private static NDArray random(NDManager m, Shape shape, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[(int) shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return HostArrays.floats(m, v, shape);
    }

}
