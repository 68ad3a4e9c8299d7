package dev.usp.core.engine;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Forward and backward of the operations every model here is made of, in float32, against the same
 * computation in float64 on this machine: convolutions through {@link Convolutions} (the shapes
 * where oneDNN's input gradient was wrong: batch 2-4, 1-8 channels; plus 16 channels, stride 2 and
 * 1x1), a linear layer, scaled dot-product attention and layer norm. Inputs come from a fixed Java random stream, so the check
 * neither reads nor moves the engine's random generator. A few milliseconds in all.
 */
final class NumericsSelfCheck {

    /** Relative error above which a float32 result is wrong (float32 rounding gives ~1e-6 here). */
    static final double TOLERANCE = 1e-4;

    /** The error of one output or gradient of one case. */
    record Error(String what, double relative) {
        boolean failed() {
            return !(relative <= TOLERANCE);   // NaN fails too
        }
    }

    /** One case: a function of its inputs whose sum-with-weights is differentiated. */
    private record Case(String name, long[][] shapes, Function<NDList, NDArray> op) {
    }

    private NumericsSelfCheck() {
    }

    /** Every case's output and input gradients, worst first. */
    static List<Error> run() {
        List<Error> errors = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(20250308L);
        for (Case c : cases()) {
            errors.addAll(compare(c, random));
        }
        errors.sort(Comparator.comparingDouble(
                (Error e) -> Double.isNaN(e.relative()) ? Double.POSITIVE_INFINITY : e.relative()).reversed());
        return errors;
    }

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (long[] nc : new long[][] {{2, 1}, {2, 3}, {4, 8}, {2, 16}}) {
            long n = nc[0];
            long c = nc[1];
            cases.add(new Case("conv3x3 N=" + n + " C=" + c, new long[][] {{n, c, 8, 8}, {c, c, 3, 3}, {c}},
                    in -> conv(in, 1, 1)));
        }
        cases.add(new Case("conv3x3 stride 2 N=2 C=4->8", new long[][] {{2, 4, 9, 9}, {8, 4, 3, 3}, {8}},
                in -> conv(in, 2, 0)));
        cases.add(new Case("conv1x1 N=2 C=8->4", new long[][] {{2, 8, 4, 4}, {4, 8, 1, 1}, {4}},
                in -> conv(in, 1, 0)));
        cases.add(new Case("linear 6x24->16", new long[][] {{6, 24}, {16, 24}, {16}},
                in -> in.get(0).matMul(in.get(1).transpose()).add(in.get(2))));
        cases.add(new Case("attention 2x2x5x8", new long[][] {{2, 2, 5, 8}, {2, 2, 5, 8}, {2, 2, 5, 8}},
                NumericsSelfCheck::attention));
        cases.add(new Case("layer norm 6x24", new long[][] {{6, 24}, {24}, {24}},
                in -> ai.djl.nn.norm.LayerNorm.layerNorm(in.get(0), new Shape(24), in.get(1), in.get(2), 1e-6f)
                        .head()));
        return cases;
    }

    private static NDArray conv(NDList in, int stride, int padding) {
        return Convolutions.conv2d(in.get(0), in.get(1), in.get(2), stride, padding);
    }

    private static NDArray attention(NDList in) {
        NDArray q = in.get(0);
        NDArray k = in.get(1);
        NDArray v = in.get(2);
        try (NDArray scale = Scalars.of(q, 1 / Math.sqrt(q.getShape().get(3)))) {
            return q.mul(scale).matMul(k.transpose(0, 1, 3, 2)).softmax(-1).matMul(v);
        }
    }

    /** Output and input gradients of {@code c} in float32 against float64, as relative max errors. */
    private static List<Error> compare(Case c, SplittableRandom random) {
        double[][] inputs = new double[c.shapes().length][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = random.doubles(new Shape(c.shapes()[i]).size(), -1, 1).toArray();
        }
        long weightSeed = random.nextLong();
        double[][] single;
        double[][] dbl;
        try (NDManager m = NDManager.newBaseManager()) {
            dbl = evaluate(c, inputs, weightSeed, DataType.FLOAT64, m);
            single = evaluate(c, inputs, weightSeed, DataType.FLOAT32, m);
        }
        List<Error> out = new ArrayList<>();
        for (int i = 0; i < dbl.length; i++) {
            String what = c.name() + (i == 0 ? " output" : " gradient of input " + (i - 1));
            out.add(new Error(what, relativeError(single[i], dbl[i])));
        }
        return out;
    }

    /**
     * [output, gradient of each input] of {@code sum(op(inputs) * weights)} in {@code type}, the
     * weights drawn in [-1, 1) from {@code weightSeed}.
     */
    private static double[][] evaluate(Case c, double[][] inputs, long weightSeed, DataType type, NDManager m) {
        NDList in = new NDList();
        for (int i = 0; i < inputs.length; i++) {
            NDArray a = HostArrays.doubles(m, inputs[i], new Shape(c.shapes()[i])).toType(type, false);
            a.setRequiresGradient(true);
            in.add(a);
        }
        double[][] out = new double[inputs.length + 1][];
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = c.op().apply(in);
            out[0] = y.toType(DataType.FLOAT64, false).toDoubleArray();
            double[] weights = new SplittableRandom(weightSeed).doubles(out[0].length, -1, 1).toArray();
            NDArray w = HostArrays.doubles(m, weights, y.getShape()).toType(type, false);
            gc.backward(y.mul(w).sum());
        }
        for (int i = 0; i < inputs.length; i++) {
            out[i + 1] = in.get(i).getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
        }
        return out;
    }

    /** max |a - b| / max |b|. */
    static double relativeError(double[] a, double[] b) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < b.length; i++) {
            double d = Math.abs(a[i] - b[i]);
            diff = d > diff || d != d ? d : diff;
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / Math.max(scale, Double.MIN_NORMAL);
    }
}
