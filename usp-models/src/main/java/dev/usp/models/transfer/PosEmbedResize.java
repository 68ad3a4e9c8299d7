package dev.usp.models.transfer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.usp.core.nn.BicubicResize;

/**
 * The official {@code interpolate_pos_embed}: a position table (1, E + g*g, D) with E leading extra
 * rows (the cls token) is split; the g x g grid is viewed as an image (1, D, g, g), resized with
 * bicubic interpolation (align_corners False, no antialias) to n x n and flattened back row-major.
 */
public final class PosEmbedResize {

    private PosEmbedResize() {
    }

    /** Side of the square grid of a (1, E + g*g, D) table. */
    public static int gridSize(NDArray posEmbed, int extraTokens) {
        long rows = posEmbed.getShape().get(posEmbed.getShape().dimension() - 2) - extraTokens;
        int g = (int) Math.round(Math.sqrt(rows));
        if (rows <= 0 || (long) g * g != rows) {
            throw new IllegalArgumentException("pos_embed " + posEmbed.getShape() + " with " + extraTokens
                    + " extra token(s) does not hold a square grid");
        }
        return g;
    }

    /**
     * (1, E + g*g, D) -> (1, E + n*n, D) when {@code keepExtra}, else (1, n*n, D); float32. When
     * g == n the grid rows are returned unchanged. The result belongs to {@code posEmbed}'s manager.
     */
    public static NDArray resize(NDArray posEmbed, int extraTokens, int newGrid, boolean keepExtra) {
        int g = gridSize(posEmbed, extraTokens);
        long d = posEmbed.getShape().get(posEmbed.getShape().dimension() - 1);
        NDArray pos = posEmbed.toType(DataType.FLOAT32, false).reshape(1, extraTokens + (long) g * g, d);
        NDArray grid = pos.get(":, " + extraTokens + ":");                      // (1, g*g, D)
        if (g != newGrid) {
            NDArray img = grid.reshape(1, g, g, d).transpose(0, 3, 1, 2);       // (1, D, g, g)
            grid = BicubicResize.resize(img, newGrid, newGrid)                  // (1, D, n, n)
                    .transpose(0, 2, 3, 1).reshape(1, (long) newGrid * newGrid, d);
        }
        if (!keepExtra || extraTokens == 0) {
            return grid;
        }
        return NDArrays.concat(new NDList(pos.get(":, 0:" + extraTokens), grid), 1);
    }
}
