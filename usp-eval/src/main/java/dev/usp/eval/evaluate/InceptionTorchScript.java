package dev.usp.eval.evaluate;

import dev.usp.core.engine.HostArrays;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;
import dev.usp.eval.metrics.InceptionScore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Inception-v3 from the TorchScript file that StyleGAN2-ADA/StyleGAN3/EDM and clean-fid use,
 * {@code inception-2015-12-05.pt} (a conversion of the TF graph behind the FID papers), loaded
 * with DJL's PyTorch engine on the CPU.
 *
 * <p>Calling convention (that file's {@code forward(img, return_features=False, use_fp16=False,
 * no_output_bias=False)}): {@code img} is (N, 3, H, W) with values in [0, 255] of any size; the
 * module itself resizes to 299x299 (bilinear) and maps to [-1, 1]. Grey images are repeated to
 * three channels first, as StyleGAN's metrics do. Pool features (N, 2048) come from
 * {@code return_features=True}; class probabilities (N, 1008) from {@code no_output_bias=True},
 * the logits without the output bias, as StyleGAN's and the ADM evaluator's Inception Score use.
 *
 * <p>Not available from this file: the ADM evaluator's spatial features ({@code mixed_6/conv},
 * first 7 channels) behind sFID. FID, IS and precision/recall computed here follow StyleGAN's
 * feature extraction; the ADM evaluator runs the TF graph with its own resize, so values can
 * differ from ADM's by small amounts.
 */
public final class InceptionTorchScript implements FeatureNet {

    /** Images per forward pass. */
    public static final int BATCH = 64;

    private final Model model;
    private final PtSymbolBlock block;
    private final Path file;

    private InceptionTorchScript(Model model, Path file) {
        this.model = model;
        this.file = file;
        if (!(model.getBlock() instanceof PtSymbolBlock b)) {
            throw new IllegalStateException(file + " did not load as a TorchScript module");
        }
        this.block = b;
        JniUtils.enableInferenceMode(block);
    }

    /**
     * Loads a TorchScript file on the CPU.
     *
     * @throws IOException naming the file when it is missing or not a TorchScript module
     */
    public static InceptionTorchScript load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "Inception TorchScript file not found");
        }
        Model model = Model.newInstance("inception", ai.djl.Device.cpu(), "PyTorch");
        try {
            model.load(file);
            return new InceptionTorchScript(model, file);
        } catch (MalformedModelException | RuntimeException e) {
            model.close();
            throw new IOException(file + ": not a loadable TorchScript module (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public MetricNames names() {
        return MetricNames.INCEPTION;
    }

    /** The ADM evaluator's 5,000 rows per split. */
    @Override
    public int isSplitSize(int images) {
        return InceptionScore.ADM_SPLIT_SIZE;
    }

    @Override
    public Features embed(ImageSource images) throws IOException {
        RowBuffer pool = new RowBuffer(file + " features");
        RowBuffer probs = new RowBuffer(file + " probabilities");
        images.forEach(BATCH, batch -> {
            try (NDManager scope = model.getNDManager().newSubManager()) {
                NDArray x = HostArrays.floats(scope, batch.toNchw(3), new Shape(batch.count(), 3, batch.height(), batch.width()));
                pool.append(call(x, true, false, batch.count()), batch.count());
                probs.append(call(x, false, true, batch.count()), batch.count());
            }
        });
        return new Features(pool.result(), probs.result());
    }

    /** One forward pass; returns the (n, K) result row-major. */
    private float[] call(NDArray x, boolean returnFeatures, boolean noOutputBias, int n) {
        PtNDManager m = (PtNDManager) x.getManager();
        IValue[] in = {IValue.from((PtNDArray) x), IValue.from(returnFeatures), IValue.from(false),
                IValue.from(noOutputBias)};
        try (IValue out = block.forward(in)) {
            if (!out.isTensor()) {
                throw new IllegalStateException(file + ": forward returned " + out.getType() + ", not a tensor");
            }
            NDArray y = out.toTensor(m);
            Shape s = y.getShape();
            if (s.dimension() != 2 || s.get(0) != n) {
                throw new IllegalStateException(file + ": forward(img (" + n + ", 3, H, W), return_features="
                        + returnFeatures + ") returned " + s + ", expected (" + n + ", D)");
            }
            return y.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        } finally {
            for (IValue v : in) {
                v.close();
            }
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
