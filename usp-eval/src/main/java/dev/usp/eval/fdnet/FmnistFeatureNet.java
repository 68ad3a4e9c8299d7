package dev.usp.eval.fdnet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import dev.usp.core.nn.Conv2d;
import dev.usp.core.nn.Linear;
import dev.usp.core.nn.Module;
import dev.usp.core.weights.StateDict;

/**
 * The small Fashion-MNIST classifier whose features FD-FMNIST and IS-FMNIST measure: three
 * 3x3 conv + ReLU + 2x2 max-pool stages, then {@code fc1} (the penultimate features) and
 * {@code fc2} (10 logits). No normalisation layers, no dropout: forward is the same in training
 * and evaluation.
 *
 * <pre>
 * x (N, 1, 32, 32) in [-1, 1]
 * conv1 -> relu -> pool   (N, c1, 16, 16)
 * conv2 -> relu -> pool   (N, c2, 8, 8)
 * conv3 -> relu -> pool   (N, c3, 4, 4) -> flatten (N, 16 c3)
 * fc1                     (N, D)  features: the pre-activation, so no unit is constant at 0
 * relu -> fc2             (N, 10) logits
 * </pre>
 *
 * State-dict keys are PyTorch's for the same {@code nn.Module}: {@code conv1.weight},
 * {@code conv1.bias}, ..., {@code fc2.bias}.
 */
public final class FmnistFeatureNet extends Module {

    /** Input side in pixels (Fashion-MNIST's 28 padded by 2 on every side). */
    public static final int SIDE = 32;
    /** Number of classes. */
    public static final int CLASSES = 10;

    private static final Shape POOL = new Shape(2, 2);
    private static final Shape NO_PAD = new Shape(0, 0);
    private static final int FINAL_SIDE = SIDE / 8;

    /**
     * Layer widths.
     *
     * @param channels output channels of conv1, conv2, conv3
     * @param featureDim width D of fc1, the feature vector
     */
    public record Spec(int conv1, int conv2, int conv3, int featureDim) {

        /** Checks the widths. */
        public Spec {
            if (conv1 <= 0 || conv2 <= 0 || conv3 <= 0 || featureDim <= 0) {
                throw new IllegalArgumentException("FmnistFeatureNet widths must be positive, got conv "
                        + conv1 + "/" + conv2 + "/" + conv3 + ", feature_dim " + featureDim);
            }
        }

        /** The default net: 16/32/64 channels, 128-d features (155,786 parameters). */
        public static Spec defaults() {
            return new Spec(16, 32, 64, 128);
        }
    }

    private final Spec spec;
    private final Conv2d conv1;
    private final Conv2d conv2;
    private final Conv2d conv3;
    private final Linear fc1;
    private final Linear fc2;

    /** Creates a net with PyTorch's default init, drawn from the engine RNG. */
    public FmnistFeatureNet(NDManager manager, Spec spec) {
        super(manager);
        this.spec = spec;
        conv1 = addModule("conv1", new Conv2d(manager, 1, spec.conv1(), 3, 1, 1, true));
        conv2 = addModule("conv2", new Conv2d(manager, spec.conv1(), spec.conv2(), 3, 1, 1, true));
        conv3 = addModule("conv3", new Conv2d(manager, spec.conv2(), spec.conv3(), 3, 1, 1, true));
        fc1 = addModule("fc1", new Linear(manager, (long) spec.conv3() * FINAL_SIDE * FINAL_SIDE, spec.featureDim()));
        fc2 = addModule("fc2", new Linear(manager, spec.featureDim(), CLASSES));
    }

    /**
     * A net shaped after the tensors of {@code sd} (widths read from {@code conv*.weight} and
     * {@code fc1.weight}) with those tensors loaded strictly, its parameters in {@code manager}.
     *
     * @throws IllegalArgumentException naming the key when a tensor is missing or mis-shaped
     */
    public static FmnistFeatureNet fromStateDict(StateDict sd, NDManager manager) {
        Spec spec = new Spec(outDim(sd, "conv1.weight"), outDim(sd, "conv2.weight"),
                outDim(sd, "conv3.weight"), outDim(sd, "fc1.weight"));
        FmnistFeatureNet net = new FmnistFeatureNet(manager, spec);
        net.loadStateDict(sd, true);
        return net;
    }

    private static int outDim(StateDict sd, String key) {
        if (!sd.contains(key)) {
            throw new IllegalArgumentException(sd.source() + " has no '" + key + "': not FmnistFeatureNet weights");
        }
        return (int) sd.get(key).getShape().get(0);
    }

    /** The layer widths. */
    public Spec spec() {
        return spec;
    }

    /** Feature dimension D. */
    public int featureDim() {
        return spec.featureDim();
    }

    /** (N, 1, 32, 32) -> the penultimate features (N, D). */
    public NDArray features(NDArray x) {
        checkInput(x);
        NDArray h = stage(conv1, x);                  // (N, c1, 16, 16)
        h = stage(conv2, h);                          // (N, c2, 8, 8)
        h = stage(conv3, h);                          // (N, c3, 4, 4)
        return fc1.forward(h.reshape(h.getShape().get(0), -1));  // (N, D)
    }

    /** Features (N, D) -> logits (N, 10). */
    public NDArray logits(NDArray features) {
        return fc2.forward(Activation.relu(features));
    }

    /** (N, 1, 32, 32) -> logits (N, 10). */
    public NDArray forward(NDArray x) {
        return logits(features(x));
    }

    private static NDArray stage(Conv2d conv, NDArray x) {
        return Pool.maxPool2d(Activation.relu(conv.forward(x)), POOL, POOL, NO_PAD, false);
    }

    private static void checkInput(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != 1 || s.get(2) != SIDE || s.get(3) != SIDE) {
            throw new IllegalArgumentException("FmnistFeatureNet takes images (N, 1, " + SIDE + ", " + SIDE
                    + ") in [-1, 1], got " + s);
        }
    }
}
