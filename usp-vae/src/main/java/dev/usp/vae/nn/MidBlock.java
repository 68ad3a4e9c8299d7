package dev.usp.vae.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.nn.Module;

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
        return block2.forward(attn1.forward(block1.forward(x)));
    }
}
