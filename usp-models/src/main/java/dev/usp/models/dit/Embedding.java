package dev.usp.models.dit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.nn.Module;
import dev.usp.core.nn.Parameter;

/** PyTorch's {@code nn.Embedding}: a {@code weight} table (rows, dim) looked up by integer index. */
public final class Embedding extends Module {

    private final Parameter weight;

    /** Creates a table of {@code rows} vectors of width {@code dim}, N(0, 1) as PyTorch's default. */
    public Embedding(NDManager manager, long rows, long dim) {
        super(manager);
        weight = addParameter("weight", manager.randomNormal(new Shape(rows, dim)));
    }

    /**
     * (N) integer indices -> (N, dim). The lookup is an advanced-index {@code get} whose result is
     * created in the indices' manager (the step's), not the table's: the table would otherwise be
     * the first operand and every lookup would stay in the model's manager.
     */
    public NDArray forward(NDArray indices) {
        NDArray idx = indices.getDataType() == DataType.INT64 ? indices : indices.toType(DataType.INT64, false);
        return weight.array().get(indices.getManager(), new NDIndex("{}", idx));
    }

    /** The table (rows, dim). */
    public Parameter weight() {
        return weight;
    }
}
