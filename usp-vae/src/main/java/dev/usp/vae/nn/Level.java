package dev.usp.vae.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Scopes;
import dev.usp.core.nn.Module;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One resolution level of the encoder ({@code down.i}) or decoder ({@code up.i}): residual blocks
 * {@code block.j}, each followed by {@code attn.j} when the level has attention, then an optional
 * resampler registered as {@code downsample} or {@code upsample}.
 */
public final class Level extends Module implements Layer {

    private final ModuleList<ResnetBlock> block;
    private final ModuleList<AttnBlock> attn;
    private Layer resample;

    /**
     * Creates a level of {@code blocks} residual blocks from {@code in} to {@code out} channels.
     *
     * @param withAttention whether each block is followed by self-attention
     */
    public Level(NDManager manager, long in, long out, int blocks, boolean withAttention, int groups) {
        super(manager);
        block = addModule("block", new ModuleList<>(manager));
        attn = addModule("attn", new ModuleList<>(manager));
        for (int j = 0; j < blocks; j++) {
            block.add(new ResnetBlock(manager, j == 0 ? in : out, out, groups));
            if (withAttention) {
                attn.add(new AttnBlock(manager, out, groups));
            }
        }
    }

    /** Adds the stride-2 {@code downsample} at the end of the level. */
    public Level withDownsample(long channels) {
        resample = addModule("downsample", new Downsample(manager(), channels));
        return this;
    }

    /** Adds the x2 {@code upsample} at the end of the level. */
    public Level withUpsample(long channels) {
        resample = addModule("upsample", new Upsample(manager(), channels));
        return this;
    }

    /** (N, in, H, W) -> (N, out, H', W') with H' = H, H/2 or 2H. */
    @Override
    public NDArray forward(NDArray x) {
        return Scopes.chain(x, layers());
    }

    /** The level's layers in order, for a caller that chains several levels ({@link Scopes#chain}). */
    List<UnaryOperator<NDArray>> layers() {
        List<UnaryOperator<NDArray>> layers = new ArrayList<>();
        for (int j = 0; j < block.size(); j++) {
            layers.add(block.get(j)::forward);
            if (!attn.isEmpty()) {
                layers.add(attn.get(j)::forward);
            }
        }
        if (resample != null) {
            layers.add(resample::forward);
        }
        return layers;
    }
}
