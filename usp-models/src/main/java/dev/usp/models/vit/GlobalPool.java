package dev.usp.models.vit;

/** How the classifier turns tokens into one feature vector (timm's {@code global_pool}). */
public enum GlobalPool {
    /** Mean of the patch tokens, then {@code fc_norm}; {@code norm} is absent (fine-tune default). */
    AVG,
    /** The cls token after {@code norm}; {@code fc_norm} is absent (linear-probe default). */
    TOKEN
}
