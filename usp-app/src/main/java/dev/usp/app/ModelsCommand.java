package dev.usp.app;

import dev.usp.models.ParameterCounts;
import dev.usp.models.dit.DiTConfig;
import dev.usp.models.dit.DiTModels;
import dev.usp.models.mae.MaeConfig;
import dev.usp.models.mae.MaeModels;
import dev.usp.models.mae.MaeOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code usp models}: the registry of named sizes with their parameter counts. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"List the registered model sizes and their parameter counts (fixed sin-cos tables included):",
                "MAE sizes on 28x28x4 latents with patch 2 (224 px through the d8 VAE), DiT/SiT on 32x32x4 latents",
                "with 1000 classes (256 px)."})
final class ModelsCommand implements Callable<Integer> {

    @Option(names = "--family", defaultValue = "all", description = "mae, dit, sit or all. Default: ${DEFAULT-VALUE}.")
    private String family;

    @Override
    public Integer call() {
        PrintStream out = System.out;
        if (family.equals("all") || family.equals("mae")) {
            out.printf(Locale.ROOT, "%-24s %-16s %-14s %15s %15s%n", "MAE (28x28x4, p2)", "encoder", "decoder",
                    "parameters", "encoder only");
            for (String name : MaeModels.names()) {
                MaeConfig c = MaeModels.config(name, MaeOptions.d8());
                out.printf(Locale.ROOT, "%-24s %-16s %-14s %,15d %,15d%n", name,
                        c.embedDim() + "/" + c.depth() + "/" + c.heads() + " p" + c.patchSize(),
                        c.decoderDim() + "/" + c.decoderDepth() + "/" + c.decoderHeads(),
                        ParameterCounts.mae(c, false), ParameterCounts.mae(c, true));
            }
            out.println();
        }
        for (String prefix : new String[] {"DiT", "SiT"}) {
            if (!family.equals("all") && !family.equalsIgnoreCase(prefix)) {
                continue;
            }
            out.printf(Locale.ROOT, "%-24s %-16s %15s%n", prefix + " (32x32x4, 1000)", "width/depth/heads", "parameters");
            for (String name : DiTModels.names()) {
                if (!name.startsWith(prefix)) {
                    continue;
                }
                DiTConfig c = DiTModels.config(name);
                out.printf(Locale.ROOT, "%-24s %-16s %,15d%n", name,
                        c.hiddenSize() + "/" + c.depth() + "/" + c.numHeads(), ParameterCounts.dit(c));
            }
            out.println();
        }
        return 0;
    }
}
