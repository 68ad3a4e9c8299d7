package dev.usp.train.distributed;

import java.util.Map;

/**
 * Where this process sits in a multi-process job, read as torchrun sets it ({@code RANK},
 * {@code WORLD_SIZE}, {@code LOCAL_RANK}, {@code MASTER_ADDR}, {@code MASTER_PORT}), or from
 * Slurm's {@code SLURM_PROCID}, {@code SLURM_NTASKS} and {@code SLURM_LOCALID} when torchrun's are
 * absent. Without either, a single process: rank 0 of 1.
 *
 * @param rank this process's index in the job, 0 to {@code worldSize - 1}
 * @param worldSize the number of processes
 * @param localRank this process's index on its machine (which GPU it takes)
 * @param masterAddr the host of rank 0's store
 * @param masterPort the port of rank 0's store
 */
public record ProcessGroupEnv(int rank, int worldSize, int localRank, String masterAddr, int masterPort) {

    /** torchrun's default port. */
    public static final int DEFAULT_PORT = 29500;

    /** Checks the values together. */
    public ProcessGroupEnv {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " of world size " + worldSize
                    + ": the rank must be between 0 and the world size - 1");
        }
        if (localRank < 0 || localRank > rank) {
            throw new IllegalArgumentException("local rank " + localRank + " of rank " + rank
                    + ": a local rank is between 0 and the rank");
        }
        if (masterPort < 1 || masterPort > 65535) {
            throw new IllegalArgumentException("master port " + masterPort + " is not a TCP port");
        }
        if (masterAddr == null || masterAddr.isBlank()) {
            throw new IllegalArgumentException("no master address");
        }
    }

    /** One process: rank 0 of 1 on this host. */
    public static ProcessGroupEnv single() {
        return new ProcessGroupEnv(0, 1, 0, "127.0.0.1", DEFAULT_PORT);
    }

    /** This process's environment ({@link System#getenv()}). */
    public static ProcessGroupEnv fromEnvironment() {
        return from(System.getenv());
    }

    /**
     * The job described by {@code env}: torchrun's variables, else Slurm's, else a single process.
     *
     * @throws IllegalArgumentException naming the variable that is missing, not a number, or out of range
     */
    public static ProcessGroupEnv from(Map<String, String> env) {
        if (env.containsKey("WORLD_SIZE") || env.containsKey("RANK")) {
            int world = number(env, "WORLD_SIZE");
            int rank = number(env, "RANK");
            int local = env.containsKey("LOCAL_RANK") ? number(env, "LOCAL_RANK") : rank;
            return checked(rank, world, local, env);
        }
        if (env.containsKey("SLURM_PROCID") && env.containsKey("SLURM_NTASKS")) {
            int world = number(env, "SLURM_NTASKS");
            int rank = number(env, "SLURM_PROCID");
            int local = env.containsKey("SLURM_LOCALID") ? number(env, "SLURM_LOCALID") : rank;
            return checked(rank, world, local, env);
        }
        return single();
    }

    /** True when more than one process takes part. */
    public boolean distributed() {
        return worldSize > 1;
    }

    /** True for rank 0, the one that writes checkpoints, metrics and plots. */
    public boolean isMain() {
        return rank == 0;
    }

    private static ProcessGroupEnv checked(int rank, int world, int local, Map<String, String> env) {
        String addr = env.getOrDefault("MASTER_ADDR", world == 1 ? "127.0.0.1" : null);
        if (addr == null) {
            throw new IllegalArgumentException("MASTER_ADDR is not set: a job of " + world
                    + " processes needs the host of rank 0 (torchrun and usp-launch set it)");
        }
        int port = env.containsKey("MASTER_PORT") ? number(env, "MASTER_PORT") : DEFAULT_PORT;
        try {
            return new ProcessGroupEnv(rank, world, local, addr, port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the job's environment is inconsistent: " + e.getMessage(), e);
        }
    }

    private static int number(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null) {
            throw new IllegalArgumentException(name + " is not set (the other job variables are)");
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "=" + value + " is not a whole number");
        }
    }
}
