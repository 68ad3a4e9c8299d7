package dev.usp.train.mix;

import ai.djl.ndarray.NDArray;

/** timm's {@code SoftTargetCrossEntropy}: mean over the batch of sum(-target * log_softmax(logits)). */
public final class SoftTargetCrossEntropy {

    private SoftTargetCrossEntropy() {
    }

    /** The scalar loss for logits and soft targets, both (N, K). */
    public static NDArray loss(NDArray logits, NDArray target) {
        if (!logits.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("logits " + logits.getShape() + " and targets "
                    + target.getShape() + " differ in shape");
        }
        return logits.logSoftmax(-1).mul(target).neg().sum(new int[] {-1}).mean();
    }
}
