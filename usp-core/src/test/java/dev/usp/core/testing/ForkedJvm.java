package dev.usp.core.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a main class in a fresh JVM with this test's classpath, for what one JVM cannot test in
 * itself: environment variables read when libtorch loads ({@code ONEDNN_VERBOSE},
 * {@code MALLOC_PERTURB_}), garbage-collector flags, a kill.
 */
public final class ForkedJvm {

    /** What the forked JVM did: its exit status and everything it printed (stdout and stderr). */
    public record Result(int exitCode, String output) {
    }

    private final String mainClass;
    private final List<String> jvmArgs = new ArrayList<>(List.of("-Dai.djl.offline=true", "-Xmx1g",
            "-Dai.djl.pytorch.num_threads=1", "-Dai.djl.pytorch.num_interop_threads=1"));
    private final List<String> args = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>(Map.of("OMP_NUM_THREADS", "1"));
    private long timeoutSeconds = 300;

    private ForkedJvm(String mainClass) {
        this.mainClass = mainClass;
    }

    /** A JVM that will run {@code mainClass}'s {@code main}. */
    public static ForkedJvm of(Class<?> mainClass) {
        return new ForkedJvm(mainClass.getName());
    }

    /** Adds JVM options (before the main class). */
    public ForkedJvm jvmArgs(String... values) {
        jvmArgs.addAll(List.of(values));
        return this;
    }

    /** Adds program arguments. */
    public ForkedJvm args(String... values) {
        args.addAll(List.of(values));
        return this;
    }

    /** Sets an environment variable of the forked JVM. */
    public ForkedJvm env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** Kills the JVM when it runs longer than this; default 300 s. */
    public ForkedJvm timeoutSeconds(long value) {
        timeoutSeconds = value;
        return this;
    }

    /**
     * Runs the JVM to its end.
     *
     * @throws IOException when it cannot start or outlives the timeout (then it is killed)
     */
    public Result run() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        Path log = Files.createTempFile("forked-jvm", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IOException(mainClass + " ran longer than " + timeoutSeconds + " s and was killed; output:\n"
                        + tail(Files.readString(log, StandardCharsets.UTF_8)));
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * Runs the JVM to its end and returns the first match of {@code line} in its output.
     *
     * @throws AssertionError when it exits non-zero or prints no such line (with the output's tail)
     */
    public Matcher runAndFind(Pattern line) throws IOException, InterruptedException {
        Result r = run();
        Matcher m = line.matcher(r.output());
        if (r.exitCode() != 0 || !m.find()) {
            throw new AssertionError(mainClass + " exited with " + r.exitCode() + (r.exitCode() == 0
                    ? " without a line matching " + line : "") + "; output:\n" + tail(r.output()));
        }
        return m;
    }

    /** The last 4,000 characters of {@code text}, for failure messages. */
    public static String tail(String text) {
        return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
    }
}
