package dev.usp.models.dit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.nn.Init;
import dev.usp.core.nn.Module;

/**
 * DiT's {@code y_embedder}: class labels to vectors through {@code embedding_table}, with label
 * dropout to the null class (index {@code numClasses}) for classifier-free guidance.
 */
public final class LabelEmbedder extends Module {

    private final Embedding table;
    private final int numClasses;
    private final double dropoutProb;

    /** Creates the table: {@code numClasses + 1} rows when {@code dropoutProb > 0}, else {@code numClasses}. */
    public LabelEmbedder(NDManager manager, int numClasses, long dim, double dropoutProb) {
        super(manager);
        this.numClasses = numClasses;
        this.dropoutProb = dropoutProb;
        table = addModule("embedding_table", new Embedding(manager, numClasses + (dropoutProb > 0 ? 1 : 0), dim));
    }

    /** (N) labels -> (N, D); in training mode each label becomes the null class with the dropout probability. */
    public NDArray forward(NDArray labels) {
        return forward(labels, null);
    }

    /**
     * (N) labels -> (N, D).
     *
     * @param forceDropIds null, or (N) with 1 where the label must become the null class (then no random drop)
     */
    public NDArray forward(NDArray labels, NDArray forceDropIds) {
        NDArray ids = labels.toType(DataType.INT64, false);
        if ((isTraining() && dropoutProb > 0) || forceDropIds != null) {
            ids = tokenDrop(ids, forceDropIds);
        }
        return table.forward(ids);
    }

    /** Replaces dropped labels by the null class: random U[0,1) < p, or where {@code forceDropIds == 1}. */
    public NDArray tokenDrop(NDArray labels, NDArray forceDropIds) {
        NDArray drop = forceDropIds == null
                ? labels.getManager().randomUniform(0f, 1f, new Shape(labels.getShape().get(0))).lt(dropoutProb)
                : forceDropIds.eq(1);
        return NDArrays.where(drop, labels.zerosLike().add(numClasses), labels);
    }

    /** DiT init: N(0, 0.02). */
    public void initNormal() {
        Init.normal(table.weight(), 0.02);
    }

    /** The null-class index. */
    public int nullClass() {
        return numClasses;
    }
}
