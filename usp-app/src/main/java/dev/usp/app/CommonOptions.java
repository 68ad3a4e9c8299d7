package dev.usp.app;

import ai.djl.Device;
import dev.usp.core.engine.Devices;
import dev.usp.core.engine.Numerics;
import dev.usp.dist.C10dCollectives;
import dev.usp.train.distributed.Collectives;
import dev.usp.train.distributed.ProcessGroupEnv;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The options every {@code usp} subcommand honours: device, seed, config file and overrides. */
public final class CommonOptions {

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "SPEC",
            description = "cpu, gpu, gpu:N or gpu:N,M,... (data parallel over those GPUs). Default: ${DEFAULT-VALUE}.")
    private String device;

    @Option(names = "--seed", paramLabel = "N",
            description = "Run seed. A command with a config sets its seed key (shorthand for --set seed=N); "
                    + "default: that key, else 0.")
    private Long seed;

    @Option(names = "--config", paramLabel = "YAML", description = "Configuration file (see configs/).")
    private Path config;

    @Option(names = "--dist-timeout", defaultValue = "600", paramLabel = "SECONDS",
            description = "In a job of several processes (usp-launch, torchrun, srun): how long a collective waits "
                    + "for the other ranks before the job fails, naming the rank it lost. Default: ${DEFAULT-VALUE}.")
    private long distTimeoutSeconds;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one configuration value, e.g. --set train.lr=1e-4 (repeatable).")
    private List<String> overrides = new ArrayList<>();

    /**
     * The parsed devices, after the engine's numerics self-check ({@link Numerics#ensure()});
     * throws with the allowed forms on a bad spec.
     */
    public List<Device> devices() {
        requireSingleProcess(System.getenv());
        List<Device> parsed = Devices.parse(device);
        Numerics.ensure();
        return parsed;
    }

    /**
     * The devices of this process when it may be one rank of a multi-process job (the training
     * commands that average gradients over ranks): {@code --device gpu} becomes the GPU of the
     * rank's {@code LOCAL_RANK}, as torchrun's one-GPU-per-process convention has it.
     */
    public List<Device> rankDevices() {
        List<Device> parsed = Devices.parse(rankDeviceSpec(ProcessGroupEnv.fromEnvironment()));
        Numerics.ensure();
        return parsed;
    }

    private String rankDeviceSpec(ProcessGroupEnv env) {
        return env.distributed() && "gpu".equals(device.strip()) ? "gpu:" + env.localRank() : device;
    }

    /**
     * Joins the job the environment describes (torchrun's, usp-launch's or Slurm's variables)
     * through PyTorch's c10d collectives (Gloo on the CPU, NCCL when the rank's device is a GPU:
     * {@code dev.usp.dist.Backend}), or gives {@link Collectives#single()} to a process that is the
     * whole job. Close it when training ends.
     *
     * @throws dev.usp.train.distributed.CollectiveException naming the rank and the cause when the job cannot be joined
     */
    public Collectives joinJob() {
        ProcessGroupEnv env = ProcessGroupEnv.fromEnvironment();
        if (!env.distributed()) {
            return Collectives.single();
        }
        if (distTimeoutSeconds < 1) {
            throw new IllegalArgumentException("--dist-timeout must be at least 1 second, got " + distTimeoutSeconds);
        }
        return C10dCollectives.connect(env, Duration.ofSeconds(distTimeoutSeconds),
                Devices.parse(rankDeviceSpec(env)).get(0));
    }

    /**
     * Refuses to run as one rank of a multi-process job ({@code scripts/usp-launch}, torchrun,
     * Slurm's srun) for a command that does not train over several processes (encode, train-vae,
     * train-fdnet, sample, ...): its N ranks would each run the whole command into one folder.
     *
     * @throws IllegalStateException naming the variables that make this process a rank
     */
    static void requireSingleProcess(Map<String, String> env) {
        // the commands that train over several processes call rankDevices() and joinJob() instead
        String vars = env.containsKey("WORLD_SIZE") || env.containsKey("RANK") ? "RANK/WORLD_SIZE"
                : "SLURM_PROCID/SLURM_NTASKS";
        String job;
        try {
            ProcessGroupEnv pg = ProcessGroupEnv.from(env);
            if (!pg.distributed()) {
                return;
            }
            job = "this process is rank " + pg.rank() + " of " + pg.worldSize();
        } catch (IllegalArgumentException incomplete) {
            job = "this process's environment describes a multi-process job (" + incomplete.getMessage() + ")";
        }
        throw new IllegalStateException(job + " (" + vars + " are set), but this command runs in one process: "
                + "only pretrain, train-dit, train-sit, finetune-cls and linprobe train over several (README "
                + "\"Distributed training\"). Run it in one process (unset those variables, or srun --ntasks=1), with "
                + "--device gpu:0,1,... for several GPUs of one machine");
    }

    /** The device spec as typed. */
    public String deviceSpec() {
        return device;
    }

    /** The {@code --seed} given, else 0; a command with a config reads its {@code seed} key instead. */
    public long seed() {
        return seed == null ? 0 : seed;
    }

    /** The configuration file, or null. */
    public Path config() {
        return config;
    }

    /**
     * The {@code --set} overrides in order, then {@code seed=N} when {@code --seed} is given: the
     * config's {@code seed} key is a run's one seed source.
     */
    public List<String> overrides() {
        List<String> out = new ArrayList<>(overrides);
        if (seed != null) {
            out.add("seed=" + seed);
        }
        return List.copyOf(out);
    }
}
