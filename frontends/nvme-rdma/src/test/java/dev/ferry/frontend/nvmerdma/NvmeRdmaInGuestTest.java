package dev.ferry.frontend.nvmerdma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ferry.testing.guest.GuestJvm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NVMe/RDMA for real: boots the initiator VM with soft-RoCE (INITVM_RDMA=1 makes rxe0 on the guest NIC) and two
 * vCPUs, runs Ferry there ({@link RdmaGuestMain}, on the host's JDK over 9p) with an rdma portal on the guest's
 * address, and drives it with the guest kernel's nvme-rdma initiator and nvme-cli (rdma-scenario.sh): discovery,
 * connect, identify, mkfs, mount, write, disconnect, reconnect, fsck, verify, then a clean stop. The host itself
 * has no RDMA device. Skipped only where the VM scripts are absent.
 */
class NvmeRdmaInGuestTest {
    private static final long GUEST_TIMEOUT_S = 600;
    static final String NQN = "nqn.2024-01.dev.ferry:rdma-guest";

    @TempDir
    Path stage;

    @Test
    void kernelNvmeRdmaInitiatorUsesFerryOverSoftRoce() throws Exception {
        GuestJvm guest = GuestJvm.prepare(stage, "NVMe/RDMA against a real initiator");
        Path log = Path.of("target", "initvm-nvme-rdma.log").toAbsolutePath();
        long t0 = System.nanoTime();
        GuestJvm.Result run = guest.run(guest.scenario(getClass(), "rdma-scenario.sh"),
                List.of("--smp", "2", "--env", "INITVM_RDMA=1", "--env", "INITVM_NVME_NQN=" + NQN), log,
                GUEST_TIMEOUT_S);
        String out = run.console();
        String ferry = run.lines("FERRY-GUEST");
        System.out.printf("%s%nguest run %.0f s; console log %s%n", ferry, (System.nanoTime() - t0) / 1e9, log);
        assertEquals(0, run.exitCode(), "run-guest.sh failed; guest console:\n" + run.tail());
        assertTrue(out.contains("FERRY-GUEST listening " + NQN + " on [/10.0.2.15:4420]"), ferry);
        assertTrue(out.contains("FERRY-GUEST discovery trtype=rdma subnqn=" + NQN
                + " tsas=connected/not-specified/rdma-cm"), ferry);
        assertTrue(out.contains("FERRY-GUEST identify subnqn=" + NQN + " ioccsz=516 nsze=0x20000 size=67108864"),
                ferry);
        assertTrue(out.contains("FERRY-GUEST verified after reconnect: e2fsck clean, 4 checksums match"), ferry);
        assertTrue(out.contains("FERRY-GUEST stopped connections-at-stop=0 connections-left=0"), ferry);
        assertTrue(out.contains("FERRY-GUEST exited cleanly rc=0 cm_ids-left=0"), ferry);
    }
}
