package dev.usp.app;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scripts/usp-launch starts ranks as torchrun does; a usp command refuses to be one of them until c10d is built. */
class UspLaunchTest {

    private static final Path LAUNCH = Path.of("..", "scripts", "usp-launch");

    private record Run(int status, String out, long millis) {
    }

    private static Run launch(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", LAUNCH.toString()));
        cmd.addAll(Arrays.asList(args));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("usp-launch " + String.join(" ", args) + " did not end in 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.exitValue(), out, (System.nanoTime() - start) / 1_000_000);
    }

    @Test
    void setsTorchrunsVariablesForEveryRankOfTheNode() throws Exception {
        Run r = launch("--nproc-per-node", "2", "--nnodes", "2", "--node-rank", "1", "--master-addr", "10.0.0.1",
                "--master-port", "29511", "--", "bash", "-c",
                "echo \"$RANK $WORLD_SIZE $LOCAL_RANK $LOCAL_WORLD_SIZE $MASTER_ADDR $MASTER_PORT\"");
        assertEquals(0, r.status(), r.out());
        assertTrue(r.out().contains("[rank 2] 2 4 0 2 10.0.0.1 29511"), r.out());
        assertTrue(r.out().contains("[rank 3] 3 4 1 2 10.0.0.1 29511"), r.out());
    }

    @Test
    void aFailingRankStopsTheOthersAndItsStatusIsTheLaunchers() throws Exception {
        Run r = launch("--nproc-per-node", "3", "--grace", "2", "--", "bash", "-c",
                "if [ \"$RANK\" = 1 ]; then exit 7; fi; sleep 50");
        assertEquals(7, r.status(), r.out());
        assertTrue(r.out().contains("rank 1 exited with status 7; stopping the others"), r.out());
        assertTrue(r.millis() < 20_000, "the sleeping ranks were stopped, not waited for: " + r.millis() + " ms");
    }

    @Test
    void badArgumentsAreNamed() throws Exception {
        Run r = launch("--nproc-per-node", "two", "true");
        assertEquals(2, r.status());
        assertTrue(r.out().contains("--nproc-per-node needs a whole number, got 'two'"), r.out());
        Run rank = launch("--nnodes", "2", "--node-rank", "2", "true");
        assertTrue(rank.out().contains("--node-rank 2 is not below --nnodes 2"), rank.out());
    }

    @Test
    void aCommandRefusesToBeOneRankOfSeveral() {
        CommonOptions.requireSingleProcess(Map.of());
        CommonOptions.requireSingleProcess(Map.of("RANK", "0", "WORLD_SIZE", "1"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CommonOptions.requireSingleProcess(Map.of("RANK", "1", "WORLD_SIZE", "2", "MASTER_ADDR", "10.0.0.1")));
        assertTrue(e.getMessage().contains("rank 1 of 2 (RANK/WORLD_SIZE are set)")
                && e.getMessage().contains("Distributed training"), e.getMessage());
        IllegalStateException slurm = assertThrows(IllegalStateException.class,
                () -> CommonOptions.requireSingleProcess(Map.of("SLURM_PROCID", "0", "SLURM_NTASKS", "4")));
        assertTrue(slurm.getMessage().contains("SLURM_PROCID/SLURM_NTASKS are set")
                && slurm.getMessage().contains("MASTER_ADDR is not set"), slurm.getMessage());
    }
}
