package dev.usp.eval.cli;

import dev.usp.eval.sample.SampleCommand;
import dev.usp.train.cli.FinetuneClsCommand;
import dev.usp.train.cli.LinprobeCommand;
import dev.usp.train.cli.PretrainCommand;
import dev.usp.train.cli.TrainDitCommand;
import dev.usp.train.cli.TrainSitCommand;
import dev.usp.train.cli.TrainVaeCommand;
import dev.usp.vae.cli.EncodeCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code usp} command line: one entry point whose subcommands run every stage of USP. */
@Command(name = "usp", mixinStandardHelpOptions = true, version = "usp 0.1.0-SNAPSHOT",
        description = "Unified Self-Supervised Pretraining (arXiv 2503.06132) on DJL/PyTorch.",
        subcommands = {
                InfoCommand.class,
                ModelsCommand.class,
                TrainVaeCommand.class,
                EncodeCommand.class,
                PretrainCommand.class,
                TrainDitCommand.class,
                TrainSitCommand.class,
                FinetuneClsCommand.class,
                LinprobeCommand.class,
                SampleCommand.class,
                EvaluateCommand.class,
                AccuracyCommand.class,
                KnnCommand.class,
                TrainFdnetCommand.class,
                QuickstartCommand.class,
                CommandLine.HelpCommand.class})
public final class UspCli {

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit status (for tests). */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new UspCli());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + ex.getMessage());
            org.slf4j.LoggerFactory.getLogger(UspCli.class).debug("failure", ex);
            return 1;
        });
        return cl.execute(args);
    }
}
