package dev.usp.vae.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Scopes;
import dev.usp.core.nn.Module;

import java.util.List;
import java.util.function.UnaryOperator;

/** LDM's middle of encoder and decoder: {@code block_1}, {@code attn_1}, {@code block_2}. */
public final class MidBlock extends Module implements Layer {

    private final ResnetBlock block1;
    private final AttnBlock attn1;
    private final ResnetBlock block2;

    /** Creates the middle over {@code channels} channels. */
    public MidBlock(NDManager manager, long channels, int groups) {
        super(manager);
        block1 = addModule("block_1", new ResnetBlock(manager, channels, channels, groups));
        attn1 = addModule("attn_1", new AttnBlock(manager, channels, groups));
        block2 = addModule("block_2", new ResnetBlock(manager, channels, channels, groups));
    }

    /** (N, C, H, W) -> (N, C, H, W). */
    @Override
    public NDArray forward(NDArray x) {
        return Scopes.chain(x, layers());
    }

    /** block_1, attn_1, block_2, for a caller that chains them with other layers ({@link Scopes#chain}). */
    List<UnaryOperator<NDArray>> layers() {
        return List.of(block1::forward, attn1::forward, block2::forward);
    }
}
