package dev.usp.models.vit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.core.nn.Block;
import dev.usp.core.nn.Module;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A sequence of timm pre-norm {@link Block}s named {@code 0 .. depth-1}, as PyTorch's
 * {@code nn.ModuleList}/{@code nn.Sequential} names them ({@code blocks.3.attn.qkv.weight}).
 * Drop-path rates increase linearly from 0 to {@code maxDropPath} over the blocks
 * ({@code torch.linspace(0, rate, depth)}).
 */
public final class BlockStack extends Module {

    private final List<Block> blocks = new ArrayList<>();

    /** Creates {@code depth} blocks of width {@code dim}. */
    public BlockStack(NDManager manager, int depth, long dim, int heads, double mlpRatio, double maxDropPath) {
        super(manager);
        for (int i = 0; i < depth; i++) {
            double rate = depth == 1 ? 0.0 : maxDropPath * i / (depth - 1);
            blocks.add(addModule(Integer.toString(i), new Block(manager, dim, heads, mlpRatio, rate)));
        }
    }

    /** (B, N, D) -> (B, N, D) through every block in order. */
    public NDArray forward(NDArray x) {
        for (Block b : blocks) {
            x = b.forward(x);
        }
        return x;
    }

    /** The blocks, in order. */
    public List<Block> blocks() {
        return Collections.unmodifiableList(blocks);
    }

    /** Number of blocks. */
    public int depth() {
        return blocks.size();
    }
}
