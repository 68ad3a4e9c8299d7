package dev.usp.app;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.usp.train.distributed.ProcessGroupEnv;

/**
 * The {@code %rank} of the log pattern: {@code "[rank R] "} in a process that is one rank of a
 * multi-process job (torchrun's or Slurm's variables), nothing otherwise, so that the merged
 * output of a job says which rank wrote each line. Empty as well when {@code scripts/usp-launch}
 * already prefixes the process's output ({@code USP_OUTPUT_PREFIXED=1}).
 */
public final class RankConverter extends ClassicConverter {

    private final String tag = tag();

    private static String tag() {
        if ("1".equals(System.getenv("USP_OUTPUT_PREFIXED"))) {
            return "";
        }
        try {
            ProcessGroupEnv env = ProcessGroupEnv.fromEnvironment();
            return env.distributed() ? "[rank " + env.rank() + "] " : "";
        } catch (IllegalArgumentException incomplete) {
            return "";   // the command itself reports the inconsistent variables
        }
    }

    @Override
    public String convert(ILoggingEvent event) {
        return tag;
    }
}
