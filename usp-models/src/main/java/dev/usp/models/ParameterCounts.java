package dev.usp.models;

import ai.djl.ndarray.NDManager;
import dev.usp.core.nn.Parameter;
import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTConfig;
import dev.usp.models.mae.MaeConfig;
import dev.usp.models.mae.MaskedAutoencoder;

import java.util.Map;

/**
 * Parameter counts of registry models without building them in full (an XL model is gigabytes):
 * every block of a stack has the same tensors, so the count is linear in depth and is read off real
 * models of the same widths with one block (MAE) or zero and one blocks (DiT). Counts include the
 * fixed sin-cos tables, as PyTorch's {@code parameters()} does.
 */
public final class ParameterCounts {

    private ParameterCounts() {
    }

    /** Parameters of the MAE of {@code c}; {@code encoderOnly} leaves out the decoder and mask token. */
    public static long mae(MaeConfig c, boolean encoderOnly) {
        MaeConfig one = new MaeConfig(c.inputSize(), c.patchSize(), c.inChannels(), c.embedDim(), 1, c.heads(),
                c.decoderDim(), 1, c.decoderHeads(), c.mlpRatio(), c.normPixLoss(), c.normImage(), c.maskRatio());
        try (MaskedAutoencoder model = new MaskedAutoencoder(one, NDManager.newBaseManager())) {
            long encBlock = 0;
            long decBlock = 0;
            for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
                long n = e.getValue().shape().size();
                encBlock += e.getKey().startsWith("blocks.0.") ? n : 0;
                decBlock += e.getKey().startsWith("decoder_blocks.0.") ? n : 0;
            }
            if (encoderOnly) {
                return model.encoderParameterCount() + (c.depth() - 1) * encBlock;
            }
            return model.parameterCount() + (c.depth() - 1) * encBlock + (c.decoderDepth() - 1) * decBlock;
        }
    }

    /** Parameters of the DiT/SiT of {@code c}. */
    public static long dit(DiTConfig c) {
        long[] counts = new long[2];
        for (int depth = 0; depth < 2; depth++) {
            DiTConfig shallow = new DiTConfig(c.inputSize(), c.patchSize(), c.inChannels(), c.hiddenSize(), depth,
                    c.numHeads(), c.mlpRatio(), c.classDropoutProb(), c.numClasses(), c.learnSigma(),
                    c.affineBlockNorms());
            try (DiT m = new DiT(NDManager.newBaseManager(), shallow)) {
                counts[depth] = m.parameterCount();
            }
        }
        return counts[0] + c.depth() * (counts[1] - counts[0]);
    }
}
