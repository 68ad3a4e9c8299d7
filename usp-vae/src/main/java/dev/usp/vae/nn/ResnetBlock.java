package dev.usp.vae.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.engine.Scopes;
import dev.usp.core.nn.Activations;
import dev.usp.core.nn.Conv2d;
import dev.usp.core.nn.Module;

import java.util.List;

/**
 * LDM's {@code ResnetBlock} without time embedding: norm1, SiLU, conv1 (3x3), norm2, SiLU, conv2
 * (3x3), plus the input, through a 1x1 {@code nin_shortcut} when the channel count changes.
 */
public final class ResnetBlock extends Module implements Layer {

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d ninShortcut;

    /** Creates a block from {@code in} to {@code out} channels. */
    public ResnetBlock(NDManager manager, long in, long out, int groups) {
        super(manager);
        norm1 = addModule("norm1", new GroupNorm(manager, groups, in, VaeNorm.EPS));
        conv1 = addModule("conv1", new Conv2d(manager, in, out, 3, 1, 1, true));
        norm2 = addModule("norm2", new GroupNorm(manager, groups, out, VaeNorm.EPS));
        conv2 = addModule("conv2", new Conv2d(manager, out, out, 3, 1, 1, true));
        ninShortcut = in == out ? null : addModule("nin_shortcut", new Conv2d(manager, in, out, 1, 1, 0, true));
    }

    /** (N, in, H, W) -> (N, out, H, W). */
    @Override
    public NDArray forward(NDArray x) {
        // Each full-resolution temporary is freed as soon as the next exists, the rest when the block ends.
        return Scopes.run(x, in -> {
            NDArray h = Scopes.chain(in, List.of(norm1::forward, Activations::silu, conv1::forward,
                    norm2::forward, Activations::silu, conv2::forward));
            NDArray skip = ninShortcut == null ? in : ninShortcut.forward(in);
            return skip.add(h);
        });
    }
}
