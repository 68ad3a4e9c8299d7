package dev.usp.models.generation;

import dev.usp.models.dit.DiT;
import dev.usp.models.dit.DiTModels;
import dev.usp.models.sit.SiT;

/**
 * The two generator families and what each trains and samples with: a DiT learns noise with the
 * Gaussian diffusion ({@code objective: diffusion}, DDPM/DDIM sampling), a SiT learns velocity
 * with the linear transport ({@code objective: transport}, ODE/SDE sampling). The one place that
 * decides which a model name, a network or an objective belongs to.
 */
public enum GeneratorFamily {
    /** DiT-*: {@link GaussianDiffusion}. */
    DIT("DiT", "diffusion"),
    /** SiT-*: {@link Transport}. */
    SIT("SiT", "transport");

    private final String displayName;
    private final String objective;

    GeneratorFamily(String displayName, String objective) {
        this.displayName = displayName;
        this.objective = objective;
    }

    /** The training objective's config value: {@code diffusion} or {@code transport}. */
    public String objective() {
        return objective;
    }

    /** The family of a {@link DiTModels} name ({@code SiT-...} or {@code DiT-...}). */
    public static GeneratorFamily of(String modelName) {
        return DiTModels.isSiT(modelName) ? SIT : DIT;
    }

    /** The family of a built network. */
    public static GeneratorFamily of(DiT network) {
        return network instanceof SiT ? SIT : DIT;
    }

    /**
     * The family an objective value names.
     *
     * @throws IllegalArgumentException naming the value when it is neither
     */
    public static GeneratorFamily ofObjective(String objective) {
        for (GeneratorFamily f : values()) {
            if (f.objective.equals(objective)) {
                return f;
            }
        }
        throw new IllegalArgumentException("objective '" + objective + "' is neither diffusion nor transport");
    }

    /**
     * Checks that a model trains with an objective.
     *
     * @throws IllegalArgumentException naming both when they do not go together
     */
    public static void checkObjective(String modelName, String objective) {
        GeneratorFamily f = of(modelName);
        if (ofObjective(objective) != f) {
            throw new IllegalArgumentException("model " + modelName + " is a " + f.displayName() + ", which trains with "
                    + "objective " + f.objective + ", not " + objective);
        }
    }

    /** {@code DiT} or {@code SiT}. */
    public String displayName() {
        return displayName;
    }
}
