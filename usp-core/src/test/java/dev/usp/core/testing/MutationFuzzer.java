package dev.usp.core.testing;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A seeded random-mutation fuzzer for file parsers (Jazzer is not served here). It replays the
 * regression inputs kept from earlier findings, then runs mutants of real seed files: bit flips,
 * interesting integers (0, -1, 2^31-1, 2^63-1...) written over 1, 4 or 8 bytes, deleted,
 * duplicated or random ranges, truncation, and splices of two seeds. Mutant {@code i} depends
 * only on the seed and {@code i}, so a finding reproduces from its index; the run stops after a
 * fixed time, so a slow machine runs a prefix of the same sequence.
 *
 * <p>The only allowed outcomes are success and the project's own refusal: an exception of one of
 * the target's refusal types whose message names the input file. Anything else (another exception, an error such as
 * OutOfMemoryError, more than {@link #PER_INPUT_SECONDS} on one input) is a finding: the input
 * is written under {@code target/fuzz-findings/} and returned.
 */
public final class MutationFuzzer {

    /** The most seconds one input may take before it counts as a hang. */
    public static final int PER_INPUT_SECONDS = 10;

    private static final long[] INTERESTING = {0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffffL,
        0x80000000L, 0xffffffffL, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 62};

    /** Parses one input file; whatever it throws is judged. */
    @FunctionalInterface
    public interface Target {
        /** Reads {@code file} as the parser under test would. */
        void parse(Path file) throws Exception;
    }

    /** What a run did: inputs parsed, how many were accepted, and the findings (empty when clean). */
    public record Outcome(String name, long runs, long accepted, double seconds, List<String> findings) {
        @Override
        public String toString() {
            return String.format("%s: %d inputs in %.0f s, %d accepted, %d refused, %d findings%s", name, runs,
                    seconds, accepted, runs - accepted - findings.size(), findings.size(),
                    findings.isEmpty() ? "" : ":\n  " + String.join("\n  ", findings));
        }
    }

    private final String name;
    private final List<byte[]> seeds;
    private final List<Class<? extends Throwable>> refusals;
    private final Path work;
    private Function<byte[], byte[]> shaper = bytes -> bytes;
    private List<byte[]> tokens = List.of();

    /**
     * @param name the target's name (also the folder of its regression inputs and findings)
     * @param seeds real files to mutate
     * @param refusals the exception types the parser refuses a bad input with
     * @param work a scratch folder for the inputs
     */
    public MutationFuzzer(String name, List<byte[]> seeds, List<Class<? extends Throwable>> refusals, Path work) {
        this.name = name;
        this.seeds = List.copyOf(seeds);
        this.refusals = List.copyOf(refusals);
        this.work = work;
    }

    /** Turns each mutated byte string into the file given to the target (e.g. wraps it in a zip). */
    public MutationFuzzer shapedBy(Function<byte[], byte[]> value) {
        shaper = value;
        return this;
    }

    /** Byte strings that mean something to the format (e.g. YAML anchors and tags), inserted at random places. */
    public MutationFuzzer withTokens(List<String> values) {
        tokens = values.stream().map(v -> v.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toList();
        return this;
    }

    /** The regression inputs of {@code target}: the files of resource folder {@code /fuzz/<target>/}, sorted. */
    public static List<Path> regressions(Class<?> anchor, String target) {
        try {
            java.net.URL url = anchor.getResource("/fuzz/" + target);
            if (url == null) {
                return List.of();
            }
            try (java.util.stream.Stream<Path> s = Files.list(Path.of(url.toURI()))) {
                return s.sorted().toList();
            }
        } catch (IOException | java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The seconds each target runs: {@code -Dusp.fuzz.seconds}, default 15. */
    public static double budgetSeconds() {
        return Double.parseDouble(System.getProperty("usp.fuzz.seconds", "15"));
    }

    /** Replays {@code regressions} (raw files), then fuzzes until {@code seconds} have passed. */
    public Outcome run(Target target, List<Path> regressions, long seed, double seconds) throws IOException {
        List<String> findings = new ArrayList<>();
        long runs = 0;
        long accepted = 0;
        long start = System.nanoTime();
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz-" + name);
            t.setDaemon(true);
            return t;
        });
        try {
            for (Path regression : regressions) {
                String problem = once(pool, target, Files.readAllBytes(regression), regression.getFileName().toString());
                runs++;
                accepted += problem == null ? 1 : 0;
                addFinding(findings, problem, "regression " + regression.getFileName());
            }
            for (long i = 0; (System.nanoTime() - start) / 1e9 < seconds && findings.size() < 5; i++) {
                Random rnd = new Random(seed * 1_000_003L + i);
                byte[] input = shaper.apply(mutate(rnd));
                String problem = once(pool, target, input, "mutant-" + i);
                runs++;
                accepted += problem == null ? 1 : 0;
                if (problem != null && !problem.isEmpty()) {
                    Path kept = Files.createDirectories(Path.of("target", "fuzz-findings", name))
                            .resolve("seed" + seed + "-mutant-" + i + ".bin");
                    Files.write(kept, input);
                    findings.add("mutant " + i + " (" + kept + "): " + problem);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return new Outcome(name, runs, accepted, (System.nanoTime() - start) / 1e9, findings);
    }

    private static void addFinding(List<String> findings, String problem, String what) {
        if (problem != null && !problem.isEmpty()) {
            findings.add(what + ": " + problem);
        }
    }

    /** Null when accepted, "" when refused properly, else the problem. */
    private String once(ExecutorService pool, Target target, byte[] input, String fileName) throws IOException {
        Path file = work.resolve(name + "-" + fileName);
        Files.write(file, input);
        Future<?> f = pool.submit(() -> {
            target.parse(file);
            return null;
        });
        try {
            f.get(PER_INPUT_SECONDS, TimeUnit.SECONDS);
            return null;
        } catch (TimeoutException e) {
            f.cancel(true);
            return "still running after " + PER_INPUT_SECONDS + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            String why = judge(t, file);
            return why == null ? "" : why + ": " + stack(t);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Null when {@code t} is a proper refusal of {@code file}, else why it is not. */
    private String judge(Throwable t, Path file) {
        if (refusals.stream().noneMatch(type -> type.isInstance(t))) {
            return "not the parser's refusal (" + t.getClass().getName() + ")";
        }
        if (t.getMessage() == null || t.getMessage().isBlank()) {
            return "refused without a message";
        }
        return t.getMessage().contains(file.getFileName().toString()) ? null : "the message does not name the file";
    }

    private static String stack(Throwable t) {
        StringWriter s = new StringWriter();
        t.printStackTrace(new PrintWriter(s));
        String[] lines = s.toString().split("\n");
        return String.join(" | ", java.util.Arrays.copyOf(lines, Math.min(6, lines.length)));
    }

    private byte[] mutate(Random rnd) {
        byte[] data = seeds.get(rnd.nextInt(seeds.size())).clone();
        int steps = 1 + rnd.nextInt(4);
        for (int s = 0; s < steps; s++) {
            data = mutateOnce(data, rnd);
        }
        return data;
    }

    private byte[] mutateOnce(byte[] d, Random rnd) {
        if (d.length == 0) {
            return new byte[] {(byte) rnd.nextInt(256)};
        }
        int at = rnd.nextInt(d.length);
        int len = Math.min(d.length - at, 1 + rnd.nextInt(Math.max(1, Math.min(64, d.length / 4 + 1))));
        if (!tokens.isEmpty() && rnd.nextInt(3) == 0) {
            byte[] token = tokens.get(rnd.nextInt(tokens.size()));
            return concat(concat(slice(d, 0, at), token), slice(d, rnd.nextBoolean() ? at : at + len, d.length));
        }
        switch (rnd.nextInt(8)) {
            case 0:
                d[at] ^= (byte) (1 << rnd.nextInt(8));
                return d;
            case 1:
                d[at] = (byte) INTERESTING[rnd.nextInt(INTERESTING.length)];
                return d;
            case 2:
                return overwrite(d, at, INTERESTING[rnd.nextInt(INTERESTING.length)], rnd.nextBoolean() ? 4 : 8);
            case 3:
                return concat(slice(d, 0, at), slice(d, at + len, d.length));
            case 4:
                return concat(slice(d, 0, at + len), slice(d, at, d.length));
            case 5: {
                byte[] noise = new byte[len];
                rnd.nextBytes(noise);
                return concat(concat(slice(d, 0, at), noise), slice(d, at, d.length));
            }
            case 6:
                return slice(d, 0, at);
            default: {
                byte[] other = seeds.get(rnd.nextInt(seeds.size()));
                int from = other.length == 0 ? 0 : rnd.nextInt(other.length);
                return concat(slice(d, 0, at), slice(other, from, other.length));
            }
        }
    }

    private static byte[] overwrite(byte[] d, int at, long value, int width) {
        for (int i = 0; i < width && at + i < d.length; i++) {
            d[at + i] = (byte) (value >>> (8 * i));
        }
        return d;
    }

    private static byte[] slice(byte[] d, int from, int to) {
        return java.util.Arrays.copyOfRange(d, Math.min(from, d.length), Math.min(Math.max(from, to), d.length));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
