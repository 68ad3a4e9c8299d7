package dev.usp.train.mix;

import dev.usp.core.engine.HostArrays;
import dev.usp.core.engine.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * timm's {@code Mixup} in batch mode (the MAE fine-tune recipe: mixup 0.8, cutmix 1.0,
 * switch prob 0.5, prob 1.0, label smoothing 0.1, lambda corrected for the clipped box).
 * One lambda per batch: the batch is mixed with its reverse ({@code x.flip(0)}), and the
 * targets become smoothed one-hots mixed the same way.
 */
public final class Mixup {

    /** What one call decided: lambda (after box correction) and the cutmix box, or null for mixup. */
    public record Decision(double lam, Box box) {
    }

    /** A cutmix box: rows [yl, yh), columns [xl, xh). */
    public record Box(int yl, int yh, int xl, int xh) {
    }

    /** The mixed batch and its soft targets (N, numClasses). */
    public record Result(NDArray x, NDArray target, Decision decision) {
    }

    private final double mixupAlpha;
    private final double cutmixAlpha;
    private final double prob;
    private final double switchProb;
    private final double labelSmoothing;
    private final int numClasses;

    /**
     * @param mixupAlpha Beta parameter for mixup, active when > 0
     * @param cutmixAlpha Beta parameter for cutmix, active when > 0
     * @param prob probability of mixing a batch at all
     * @param switchProb probability of cutmix instead of mixup when both are active
     * @param labelSmoothing label smoothing of the one-hot targets
     */
    public Mixup(double mixupAlpha, double cutmixAlpha, double prob, double switchProb,
                 double labelSmoothing, int numClasses) {
        if (mixupAlpha <= 0 && cutmixAlpha <= 0) {
            throw new IllegalArgumentException("one of mixupAlpha, cutmixAlpha must be > 0");
        }
        this.mixupAlpha = mixupAlpha;
        this.cutmixAlpha = cutmixAlpha;
        this.prob = prob;
        this.switchProb = switchProb;
        this.labelSmoothing = labelSmoothing;
        this.numClasses = numClasses;
    }

    /** MAE's fine-tuning settings: mixup 0.8, cutmix 1.0, prob 1, switch 0.5, smoothing 0.1. */
    public static Mixup maeFinetune(int numClasses) {
        return new Mixup(0.8, 1.0, 1.0, 0.5, 0.1, numClasses);
    }

    /**
     * Draws lambda (and a box) as timm's {@code _params_per_batch} and {@code rand_bbox} do, in
     * the same order of draws, for an image of height h and width w.
     */
    public Decision decide(MixRandom rng, int h, int w) {
        double lam = 1.0;
        boolean cutmix = false;
        if (rng.uniform() < prob) {
            if (mixupAlpha > 0 && cutmixAlpha > 0) {
                cutmix = rng.uniform() < switchProb;
                lam = cutmix ? rng.beta(cutmixAlpha) : rng.beta(mixupAlpha);
            } else if (mixupAlpha > 0) {
                lam = rng.beta(mixupAlpha);
            } else {
                cutmix = true;
                lam = rng.beta(cutmixAlpha);
            }
        }
        if (lam == 1.0 || !cutmix) {
            return new Decision(lam, null);
        }
        double ratio = Math.sqrt(1 - lam);
        int cutH = (int) (h * ratio);
        int cutW = (int) (w * ratio);
        int cy = rng.randint(0, h);
        int cx = rng.randint(0, w);
        return cutmixBox(h, w, cutH, cutW, cy, cx);
    }

    /** timm's box around (cy, cx) of size (cutH, cutW), clipped, with lambda = 1 - box area / image area. */
    public static Decision cutmixBox(int h, int w, int cutH, int cutW, int cy, int cx) {
        Box box = new Box(clip(cy - Math.floorDiv(cutH, 2), h), clip(cy + Math.floorDiv(cutH, 2), h),
                clip(cx - Math.floorDiv(cutW, 2), w), clip(cx + Math.floorDiv(cutW, 2), w));
        double lam = 1.0 - (double) (box.yh - box.yl) * (box.xh - box.xl) / ((double) h * w);
        return new Decision(lam, box);
    }

    private static int clip(int v, int hi) {
        return Math.max(0, Math.min(v, hi));
    }

    /** Mixes a batch x (N, C, H, W) with integer labels (N) using fresh draws from {@code rng}. */
    public Result apply(NDArray x, NDArray labels, MixRandom rng) {
        Shape s = x.getShape();
        if (s.get(0) % 2 != 0) {
            throw new IllegalArgumentException("batch size must be even for mixup, got " + s.get(0));
        }
        return apply(x, labels, decide(rng, (int) s.get(s.dimension() - 2), (int) s.get(s.dimension() - 1)));
    }

    /** Mixes a batch with a given decision (lambda 1 leaves x unchanged). */
    public Result apply(NDArray x, NDArray labels, Decision d) {
        NDArray mixed;
        if (d.lam() == 1.0) {
            mixed = x.duplicate();
        } else if (d.box() == null) {
            mixed = Scalars.mul(x, d.lam()).add(Scalars.mul(x.flip(0), 1. - d.lam()));
        } else {
            Box b = d.box();
            mixed = x.duplicate();
            NDIndex region = new NDIndex(":, :, {}:{}, {}:{}", b.yl, b.yh, b.xl, b.xh);
            if (b.yh > b.yl && b.xh > b.xl) {
                mixed.set(region, x.flip(0).get(region));
            }
        }
        return new Result(mixed, mixupTarget(labels, numClasses, d.lam(), labelSmoothing, x), d);
    }

    /**
     * timm's {@code mixup_target}: smoothed one-hots (off = s / K, on = 1 - s + off) mixed as
     * y * lam + y.flip(0) * (1 - lam); float32 in {@code like}'s manager.
     */
    public static NDArray mixupTarget(NDArray labels, int numClasses, double lam, double smoothing, NDArray like) {
        long[] y = labels.getDataType() == DataType.INT64 ? labels.toLongArray() : toLong(labels);
        int n = y.length;
        float off = (float) (smoothing / numClasses);
        float on = (float) (1. - smoothing + off);
        float[] a = new float[n * numClasses];
        float[] b = new float[n * numClasses];
        Arrays.fill(a, off);
        Arrays.fill(b, off);
        for (int i = 0; i < n; i++) {
            if (y[i] < 0 || y[i] >= numClasses) {
                throw new IllegalArgumentException("label " + y[i] + " is outside [0, " + numClasses + ")");
            }
            a[i * numClasses + (int) y[i]] = on;
            b[i * numClasses + (int) y[n - 1 - i]] = on;
        }
        NDManager m = like.getManager();
        Shape shape = new Shape(n, numClasses);
        return Scalars.mul(HostArrays.floats(m, a, shape), lam).add(Scalars.mul(HostArrays.floats(m, b, shape), 1. - lam));
    }

    private static long[] toLong(NDArray labels) {
        try (NDArray l = labels.toType(DataType.INT64, false)) {
            return l.toLongArray();
        }
    }
}
