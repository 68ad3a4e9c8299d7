package dev.usp.vae.nn;

import ai.djl.ndarray.NDArray;
import dev.usp.core.nn.Parameter;

/** Helpers for per-channel parameters applied to NCHW activations. */
final class Channels {

    private Channels() {
    }

    /**
     * The parameter (C) viewed as (1, C, 1, 1), owned by the activation's manager so that the
     * module's manager does not grow (the reshape would otherwise belong to the parameter's).
     */
    static NDArray view(Parameter p, NDArray activation) {
        NDArray v = p.array().reshape(1, p.shape().get(0), 1, 1);
        v.attach(activation.getManager());
        return v;
    }
}
