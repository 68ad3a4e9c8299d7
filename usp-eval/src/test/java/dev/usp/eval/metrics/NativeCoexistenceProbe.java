package dev.usp.eval.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs libtorch (through DJL) and ND4J in one JVM, both bringing their own OpenMP runtime: each
 * engine's matrix products are checked against plain Java, in the order given ({@code djl-first}
 * or {@code nd4j-first}), again in the other order, then from two threads at once. Prints
 * {@code OK} and exits 0 when every result is right; see {@link NativeCoexistenceTest}.
 */
public final class NativeCoexistenceProbe {

    private static final int N = 384;

    private NativeCoexistenceProbe() {
    }

    public static void main(String[] args) throws Exception {
        boolean djlFirst = args.length > 0 && args[0].equals("djl-first");
        double[] a = random(1);
        double[] b = random(2);
        double[] want = multiply(a, b);
        for (int round = 0; round < 2; round++) {
            if (djlFirst == (round == 0)) {
                check("djl", djl(a, b), want);
                check("nd4j", nd4j(a, b), want);
            } else {
                check("nd4j", nd4j(a, b), want);
                check("djl", djl(a, b), want);
            }
        }
        checkLinalg();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> torch = pool.submit(() -> repeat(() -> check("djl (concurrent)", djl(a, b), want)));
            Future<?> nd4j = pool.submit(() -> repeat(() -> check("nd4j (concurrent)", nd4j(a, b), want)));
            torch.get();
            nd4j.get();
        } finally {
            pool.shutdown();
        }
        System.out.println("OK");
    }

    private static void repeat(Runnable r) {
        for (int i = 0; i < 10; i++) {
            r.run();
        }
    }

    // The transposed product the covariance uses, and LAPACK's eigenvalues (checked inside).
    private static void checkLinalg() {
        double[] x = random(3);
        double[] xtx = multiply(transpose(x), x);
        try (INDArray m = Linalg.matrix(x, N, N); INDArray g = Nd4j.gemm(m, m, true, false)) {
            check("nd4j gemm(T, N)", Linalg.toRowMajor(g), xtx);
            Linalg.symmetricEigenvalues(g);
        }
    }

    private static double[] djl(double[] a, double[] b) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(toFloat(a), new Shape(N, N));
            NDArray y = m.create(toFloat(b), new Shape(N, N));
            float[] c = x.matMul(y).toFloatArray();
            double[] out = new double[c.length];
            for (int i = 0; i < c.length; i++) {
                out[i] = c[i];
            }
            return out;
        }
    }

    private static double[] nd4j(double[] a, double[] b) {
        try (INDArray x = Linalg.matrix(a, N, N); INDArray y = Linalg.matrix(b, N, N); INDArray c = x.mmul(y)) {
            return Linalg.toRowMajor(c);
        }
    }

    private static void check(String what, double[] got, double[] want) {
        double scale = 0;
        double err = 0;
        for (int i = 0; i < want.length; i++) {
            scale = Math.max(scale, Math.abs(want[i]));
            err = Math.max(err, Math.abs(got[i] - want[i]));
        }
        if (!(err <= 1e-4 * scale)) {
            throw new AssertionError(what + ": max error " + err + " for values up to " + scale);
        }
    }

    private static double[] random(long seed) {
        Random r = new Random(seed);
        double[] v = new double[N * N];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private static double[] transpose(double[] a) {
        double[] t = new double[a.length];
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                t[j * N + i] = a[i * N + j];
            }
        }
        return t;
    }

    private static double[] multiply(double[] a, double[] b) {
        double[] c = new double[N * N];
        for (int i = 0; i < N; i++) {
            for (int k = 0; k < N; k++) {
                double v = a[i * N + k];
                for (int j = 0; j < N; j++) {
                    c[i * N + j] += v * b[k * N + j];
                }
            }
        }
        return c;
    }
}
