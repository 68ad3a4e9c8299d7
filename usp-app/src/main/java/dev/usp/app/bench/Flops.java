package dev.usp.app.bench;

import dev.usp.models.dit.DiTConfig;
import dev.usp.models.mae.MaeConfig;
import dev.usp.vae.VaeConfig;

/**
 * Analytic FLOPs: 2 x multiply-accumulates of the linear, attention (QK^T and AV) and convolution
 * layers; norms, activations, softmax and elementwise ops are not counted. A training step
 * (forward, backward for inputs and weights) counts {@link #TRAIN_FACTOR} forwards.
 */
final class Flops {

    /** Forward + backward = 3 forwards of matmul work. */
    static final int TRAIN_FACTOR = 3;

    private Flops() {
    }

    /** A Linear applied to {@code rows} vectors. */
    static double linear(double rows, long in, long out) {
        return 2.0 * rows * in * out;
    }

    /** QK^T and AV over all heads of {@code n} sequences of {@code tokens} tokens, width {@code dim}. */
    static double attention(double n, long tokens, long dim) {
        return 2 * 2.0 * n * tokens * tokens * dim;
    }

    /** A k x k convolution producing an (outH, outW) map. */
    static double conv(double n, long outH, long outW, long in, long out, int k) {
        return 2.0 * n * outH * outW * in * out * k * k;
    }

    /** A timm ViT block: qkv, attention, proj, fc1, fc2. */
    static double vitBlock(double n, long tokens, long dim, double mlpRatio) {
        double rows = n * tokens;
        long hidden = (long) (dim * mlpRatio);
        return linear(rows, dim, 3 * dim) + attention(n, tokens, dim) + linear(rows, dim, dim)
                + linear(rows, dim, hidden) + linear(rows, hidden, dim);
    }

    /** The MAE forward of {@code n} samples: patch embed, encoder on 1+K tokens, decoder on 1+L tokens. */
    static double maeForward(MaeConfig c, long n) {
        long l = c.numPatches();
        long kept = (long) (l * (1 - c.maskRatio()));
        double f = linear((double) n * l, c.patchDim(), c.embedDim());
        f += c.depth() * vitBlock(n, 1 + kept, c.embedDim(), c.mlpRatio());
        f += linear((double) n * (1 + kept), c.embedDim(), c.decoderDim());
        f += c.decoderDepth() * vitBlock(n, 1 + l, c.decoderDim(), c.mlpRatio());
        return f + linear((double) n * (1 + l), c.decoderDim(), c.patchDim());
    }

    /** The DiT/SiT forward of {@code n} samples: patch embed, t-embedder MLP, blocks with adaLN, final layer. */
    static double ditForward(DiTConfig c, long n) {
        long t = c.numPatches();
        long d = c.hiddenSize();
        long patchIn = (long) c.patchSize() * c.patchSize() * c.inChannels();
        long patchOut = (long) c.patchSize() * c.patchSize() * c.outChannels();
        double f = linear((double) n * t, patchIn, d) + linear(n, 256, d) + linear(n, d, d);
        f += c.depth() * (vitBlock(n, t, d, c.mlpRatio()) + linear(n, d, 6 * d));
        return f + linear(n, d, 2 * d) + linear((double) n * t, d, patchOut);
    }

    /** The LDM encoder plus quant_conv on {@code n} images of side {@code size}. */
    static double vaeEncoder(VaeConfig c, long n, int size) {
        long s = size;
        double f = conv(n, s, s, c.inChannels(), c.ch(), 3);
        long in = c.ch();
        int res = c.resolution();
        for (int i = 0; i < c.levels(); i++) {
            long out = c.levelChannels(i);
            for (int b = 0; b < c.numResBlocks(); b++) {
                f += resBlock(n, s, b == 0 ? in : out, out);
                if (c.encoderAttnResolutions().contains(res)) {
                    f += attnBlock(n, s, out);
                }
            }
            if (i != c.levels() - 1) {
                s /= 2;
                res /= 2;
                f += conv(n, s, s, out, out, 3);
            }
            in = out;
        }
        f += 2 * resBlock(n, s, in, in) + attnBlock(n, s, in);
        long moments = c.doubleZ() ? 2L * c.zChannels() : c.zChannels();
        return f + conv(n, s, s, in, moments, 3) + conv(n, s, s, moments, moments, 1);
    }

    /** post_quant_conv plus the LDM decoder, from latents to {@code n} images of side {@code size}. */
    static double vaeDecoder(VaeConfig c, long n, int size) {
        long s = size / c.downsampling();
        long z = c.zChannels();
        long in = c.levelChannels(c.levels() - 1);
        double f = conv(n, s, s, z, z, 1) + conv(n, s, s, z, in, 3);
        f += 2 * resBlock(n, s, in, in) + attnBlock(n, s, in);
        int res = c.resolution() / c.downsampling();
        for (int i = c.levels() - 1; i >= 0; i--) {
            long out = c.levelChannels(i);
            for (int b = 0; b <= c.numResBlocks(); b++) {
                f += resBlock(n, s, b == 0 ? in : out, out);
                if (c.decoderAttnResolutions().contains(res)) {
                    f += attnBlock(n, s, out);
                }
            }
            if (i != 0) {
                s *= 2;
                res *= 2;
                f += conv(n, s, s, out, out, 3);
            }
            in = out;
        }
        return f + conv(n, s, s, in, c.outChannels(), 3);
    }

    private static double resBlock(long n, long s, long in, long out) {
        double f = conv(n, s, s, in, out, 3) + conv(n, s, s, out, out, 3);
        return in == out ? f : f + conv(n, s, s, in, out, 1);
    }

    private static double attnBlock(long n, long s, long c) {
        return 4 * conv(n, s, s, c, c, 1) + attention(n, s * s, c);
    }
}
