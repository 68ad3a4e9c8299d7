package dev.usp.vae.weights;

/** The tensor-naming schemes in which KL autoencoder weights are shipped. */
public enum Naming {
    /** LDM/CompVis: {@code encoder.down.0.block.0.conv1}, {@code mid.attn_1.q}, {@code norm_out}. */
    LDM,
    /** diffusers with the current attention names: {@code mid_block.attentions.0.to_q}, {@code to_out.0}. */
    DIFFUSERS,
    /** diffusers before 0.14: attention as {@code query}, {@code key}, {@code value}, {@code proj_attn}. */
    DIFFUSERS_LEGACY_ATTENTION
}
