package example;

import ai.djl.ndarray.NDManager;
import dev.usp.models.dit.DiT;
import dev.usp.models.generation.GeneratorSpec;

/** Builds a SiT from its spec, as a project depending on usp-models would, and prints its size. */
public final class BuildSiT {

    private BuildSiT() {
    }

    /** Entry point. */
    public static void main(String[] args) {
        GeneratorSpec spec = new GeneratorSpec("SiT-S/2", 10, 8, 4);
        try (NDManager manager = NDManager.newBaseManager(); DiT net = spec.build(manager)) {
            System.out.println(spec.describe() + ": " + net.parameterCount() + " parameters on "
                    + manager.getDevice() + ", " + manager.getEngine().getEngineName() + " "
                    + manager.getEngine().getVersion());
        }
    }
}
