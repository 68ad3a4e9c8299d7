package dev.usp.train.distributed;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcessGroupEnvTest {

    @Test
    void torchrunVariablesWinOverSlurmsAndNoneMeansOneProcess() {
        ProcessGroupEnv env = ProcessGroupEnv.from(Map.of("RANK", "3", "WORLD_SIZE", "8", "LOCAL_RANK", "1",
                "MASTER_ADDR", "node0", "MASTER_PORT", "29600", "SLURM_PROCID", "5", "SLURM_NTASKS", "16"));
        assertEquals(new ProcessGroupEnv(3, 8, 1, "node0", 29600), env);
        assertTrue(env.distributed());
        assertFalse(env.isMain());
        assertEquals(new ProcessGroupEnv(5, 16, 1, "node0", 29500), ProcessGroupEnv.from(Map.of("SLURM_PROCID", "5",
                "SLURM_NTASKS", "16", "SLURM_LOCALID", "1", "MASTER_ADDR", "node0")));
        assertEquals(ProcessGroupEnv.single(), ProcessGroupEnv.from(Map.of("HOME", "/root")));
        assertTrue(ProcessGroupEnv.single().isMain() && !ProcessGroupEnv.single().distributed());
    }

    @Test
    void aBrokenJobEnvironmentNamesTheVariable() {
        assertMessage("MASTER_ADDR is not set", Map.of("RANK", "1", "WORLD_SIZE", "2"));
        assertMessage("WORLD_SIZE is not set", Map.of("RANK", "1"));
        assertMessage("RANK=one is not a whole number", Map.of("RANK", "one", "WORLD_SIZE", "2"));
        assertMessage("rank 2 of world size 2", Map.of("RANK", "2", "WORLD_SIZE", "2", "MASTER_ADDR", "h"));
        assertMessage("master port 70000", Map.of("RANK", "0", "WORLD_SIZE", "2", "MASTER_ADDR", "h",
                "MASTER_PORT", "70000"));
    }

    private static void assertMessage(String fragment, Map<String, String> env) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcessGroupEnv.from(env));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
}
