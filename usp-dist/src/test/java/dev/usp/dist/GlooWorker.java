package dev.usp.dist;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.usp.core.engine.HostArrays;
import dev.usp.train.distributed.CollectiveException;
import dev.usp.train.distributed.ProcessGroupEnv;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One rank of a test job, started by {@link GlooCollectivesTest} with torchrun's variables. Prints
 * what it checked ({@code OK ...}) or throws; exit status 0 when every check passed, 3 when a
 * collective failed (the message on a {@code FAILED} line).
 *
 * <p>Scenarios: {@code sums} (allreduce of several shapes, one over 25 MiB and a bucket-crossing
 * group, broadcast from each rank, barrier, 2,000 allreduces of 1 MiB with RSS printed), {@code kill} (rank 1
 * waits to be killed while rank 0 is inside an allreduce).
 */
public final class GlooWorker {

    private GlooWorker() {
    }

    /** {@code args[0]}: the scenario; {@code args[1]}: the timeout in seconds; {@code args[2]}: soak steps. */
    public static void main(String[] args) throws Exception {
        ProcessGroupEnv env = ProcessGroupEnv.fromEnvironment();
        Duration timeout = Duration.ofSeconds(Long.parseLong(args[1]));
        try (NDManager manager = NDManager.newBaseManager();
             C10dCollectives gloo = C10dCollectives.connect(env, timeout)) {
            System.out.println("CONNECTED rank " + env.rank());
            switch (args[0]) {
                case "sums" -> sums(gloo, manager, env);
                case "kill" -> kill(gloo, manager, env);
                case "soak" -> soak(gloo, manager, Integer.parseInt(args[2]));
                default -> throw new IllegalArgumentException(args[0]);
            }
            System.out.println("MAPS " + String.join(" ", torchLibraries()));
        } catch (CollectiveException e) {
            System.out.println("FAILED " + e.getMessage());
            System.out.flush();
            System.exit(3);
        }
    }

    private static void sums(C10dCollectives gloo, NDManager manager, ProcessGroupEnv env) throws IOException {
        int rank = env.rank();
        int world = env.worldSize();
        // shapes: a scalar-like one, small ones, a transposed (non-contiguous) one, 4 x 8 MiB that cross a
        // 25 MiB bucket, and one of 28 MB that has a bucket of its own
        List<Shape> shapes = List.of(new Shape(1), new Shape(3), new Shape(4, 5), new Shape(2, 3, 4, 5),
                new Shape(2 * 1024 * 1024), new Shape(2 * 1024 * 1024), new Shape(2 * 1024 * 1024),
                new Shape(2 * 1024 * 1024), new Shape(7_000_000));
        List<NDArray> arrays = new ArrayList<>();
        for (int a = 0; a < shapes.size(); a++) {
            arrays.add(HostArrays.floats(manager, values(shapes.get(a).size(), a, rank), shapes.get(a)));
        }
        NDArray transposed = HostArrays.floats(manager, values(6 * 7, 99, rank), new Shape(6, 7)).transpose();
        arrays.add(2, transposed);
        gloo.allReduceSum(arrays);
        for (int a = 0; a < arrays.size(); a++) {
            int seed = a < 2 ? a : a == 2 ? 99 : a - 1;
            float[] got = a == 2 ? arrays.get(a).transpose().toFloatArray() : arrays.get(a).toFloatArray();
            expectSum(got, seed, world, "allreduce array " + a + " " + arrays.get(a).getShape());
        }
        System.out.println("OK allreduce " + arrays.size() + " arrays");

        for (int root = 0; root < world; root++) {
            List<NDArray> b = List.of(HostArrays.floats(manager, values(10, 7, rank), new Shape(2, 5)),
                    HostArrays.floats(manager, values(3_000_000, 8, rank), new Shape(3_000_000)));
            b.get(0).setRequiresGradient(true);  // a parameter: the flat copy back must run under no-grad
            gloo.broadcast(List.of(b.get(0), manager.zeros(new Shape(4)), b.get(1)), root);
            expectValues(b.get(0).toFloatArray(), values(10, 7, root), "broadcast from " + root);
            expectValues(b.get(1).toFloatArray(), values(3_000_000, 8, root), "broadcast from " + root);
            System.out.println("OK broadcast from " + root);
        }
        gloo.barrier();
        System.out.println("OK barrier");

        try {
            gloo.allReduceSum(List.of(manager.zeros(new Shape(3), DataType.INT32)));
            throw new AssertionError("an int32 array was accepted");
        } catch (IllegalArgumentException e) {
            System.out.println("OK refused: " + e.getMessage());
        }

        soak(gloo, manager, 1000);
    }

    /** {@code steps} times: allreduce of one 1 MiB array (in place) and of four 256 KiB ones (one bucket). */
    private static void soak(C10dCollectives gloo, NDManager manager, int steps) throws IOException {
        NDArray mb = manager.zeros(new Shape(256 * 1024));
        List<NDArray> quarters = List.of(manager.zeros(new Shape(64 * 1024)), manager.zeros(new Shape(64 * 1024)),
                manager.zeros(new Shape(64 * 1024)), manager.zeros(new Shape(64 * 1024)));
        long started = System.nanoTime();
        Runtime jvm = Runtime.getRuntime();
        for (int step = 1; step <= steps; step++) {
            gloo.allReduceSum(List.of(mb));
            gloo.allReduceSum(quarters);
            if (step == 1 || step % 250 == 0) {
                System.out.printf("RSS step %d %.1f MB (Java heap %.1f MB) %.2f ms/step%n", step, rssMb(),
                        (jvm.totalMemory() - jvm.freeMemory()) / 1048576.0, (System.nanoTime() - started) / 1e6 / step);
            }
        }
        expectValues(mb.toFloatArray(), new float[256 * 1024], "zeros after " + steps + " sums");
    }

    private static void kill(C10dCollectives gloo, NDManager manager, ProcessGroupEnv env) throws InterruptedException {
        NDArray x = manager.ones(new Shape(1000));
        gloo.allReduceSum(List.of(x));
        System.out.println("OK first allreduce " + x.getFloat(0));
        if (env.rank() == 1) {
            System.out.println("WAITING to be killed");
            System.out.flush();
            Thread.sleep(120_000);
            return;
        }
        System.out.println("ENTERING allreduce");
        System.out.flush();
        gloo.allReduceSum(List.of(x));
        throw new AssertionError("the allreduce returned without its peer");
    }

    /** Small integers, so that every sum is exact in float32: (i % 1000) * (rank + 1) + seed. */
    static float[] values(long n, int seed, int rank) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 1000) * (rank + 1) + seed;
        }
        return v;
    }

    private static void expectSum(float[] got, int seed, int world, String what) {
        float[] want = new float[got.length];
        for (int r = 0; r < world; r++) {
            float[] v = values(got.length, seed, r);
            for (int i = 0; i < want.length; i++) {
                want[i] += v[i];
            }
        }
        expectValues(got, want, what);
    }

    private static void expectValues(float[] got, float[] want, String what) {
        if (got.length != want.length) {
            throw new AssertionError(what + ": " + got.length + " values, expected " + want.length);
        }
        for (int i = 0; i < got.length; i++) {
            if (Float.floatToIntBits(got[i]) != Float.floatToIntBits(want[i])) {
                throw new AssertionError(what + ": value " + i + " is " + got[i] + ", expected " + want[i]);
            }
        }
    }

    private static double rssMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        throw new IOException("no VmRSS in /proc/self/status");
    }

    /** The distinct mapped libtorch, c10, OpenMP and BLAS files of this process. */
    private static List<String> torchLibraries() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.UTF_8).stream()
                .map(line -> line.split("\\s+", 6))
                .filter(f -> f.length == 6 && f[5].matches(".*/lib(torch|c10|gomp|openblas|gfortran|jnitorch)[^/]*"))
                .map(f -> Path.of(f[5]).getFileName().toString())
                .distinct()
                .sorted()
                .toList();
    }
}
