package dev.usp.models.sit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTConfig;

/**
 * The Scalable Interpolant Transformer (willisma/SiT {@code models.py}): the DiT network taking a
 * continuous t in [0, 1]; the official definitions differ from DiT only in that {@code forward}
 * drops the learned-sigma half of the output, so the output has {@code inChannels} channels
 * (and {@code forwardWithCfg} works on that output).
 */
public final class SiT extends DiT {

    /** Builds the network with the official initialisation (identical to DiT's). */
    public SiT(NDManager manager, DiTConfig config) {
        super(manager, config);
    }

    /**
     * x (N, C, H, W), t (N) continuous time, y (N) labels, the labels to drop (or null) -> the
     * velocity (N, C, H, W); the three-argument {@code forward} comes here too.
     */
    @Override
    public NDArray forward(NDArray x, NDArray t, NDArray y, NDArray forceDropIds) {
        NDArray out = super.forward(x, t, y, forceDropIds);
        return config().learnSigma() ? out.get(":, 0:" + config().inChannels()) : out;
    }
}
