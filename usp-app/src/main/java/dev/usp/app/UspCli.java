package dev.usp.app;

import dev.usp.core.io.UnfinishedOutputs;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

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

    /**
     * Runs the command line and returns its exit status (for tests). Whatever a command throws,
     * errors included, ends here as one line on stderr and status 1, after the output folders the
     * command created and did not finish are removed ({@link UnfinishedOutputs}).
     */
    public static int run(String... args) {
        return run(new CommandLine(new UspCli()), args);
    }

    /** Runs {@code cl} (any picocli command) behind the same boundary as the {@code usp} command line. */
    public static int run(CommandLine cl, String... args) {
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> fail(cmd.getErr(), ex));
        try {
            return cl.execute(args);
        } catch (Throwable t) {
            return fail(cl.getErr(), t);
        }
    }

    private static int fail(PrintWriter err, Throwable t) {
        LoggerFactory.getLogger(UspCli.class).debug("failure", t);
        List<Path> removed = UnfinishedOutputs.removeAll();
        err.println("error: " + FailureMessages.oneLine(t)
                + (removed.isEmpty() ? "" : " (removed the unfinished " + removed.stream().map(Path::toString)
                        .collect(Collectors.joining(", ")) + ")"));
        err.flush();
        return 1;
    }
}
